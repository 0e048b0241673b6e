package libvirt

import (
	"net/url"
	"path/filepath"
	"testing"
)

func TestLocalSession(t *testing.T) {
	for uri, want := range map[string]bool{
		"qemu:///session":                  true,
		"qemu+unix:///session":             true,
		"qemu:///system":                   false,
		"qemu+ssh://host/session":          false,
		"qemu:///session?socket=/tmp/sock": false,
	} {
		u, _ := url.Parse(uri)
		if got := localSession(u); got != want {
			t.Errorf("%s: %v, want %v", uri, got, want)
		}
	}
}

func TestSessionRuntimeDirIsLibvirts(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1000")
	if d, _ := sessionRuntimeDir(); d != "/run/user/1000/libvirt" {
		t.Errorf("with XDG_RUNTIME_DIR: %s", d)
	}
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if d, _ := sessionRuntimeDir(); d != filepath.Join("/home/u", ".cache", "libvirt") {
		t.Errorf("without: %s", d)
	}
}
