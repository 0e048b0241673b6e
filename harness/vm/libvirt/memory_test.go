package libvirt

import (
	"fmt"
	"net/url"
	"os"
	"testing"
)

func TestVmHWMOfThisProcess(t *testing.T) {
	b, err := vmHWM(fmt.Sprintf("/proc/%d/status", os.Getpid()))
	if err != nil || b <= 0 {
		t.Fatalf("vmHWM of the test process: %d, %v", b, err)
	}
	if _, err := vmHWM("/proc/self/cmdline"); err == nil {
		t.Fatal("a file without VmHWM gave a number")
	}
}

func TestPidFileIsLocalOnly(t *testing.T) {
	for uri, want := range map[string]string{
		"qemu:///system":              "/run/libvirt/qemu/d.pid",
		"qemu+ssh://host/system":      "",
		"qemu:///session":             "/run/user/1000/libvirt/qemu/run/d.pid",
		"qemu+unix:///system?socket=": "/run/libvirt/qemu/d.pid",
	} {
		t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
		u, _ := url.Parse(uri)
		got, err := (&Driver{uri: u}).pidFile("d")
		if got != want || (want == "") != (err != nil) {
			t.Errorf("%s: %q, %v; want %q", uri, got, err, want)
		}
	}
}
