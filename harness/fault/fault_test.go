package fault

import (
	"fmt"
	"testing"
)

func TestFaultErrorNamesTheLine(t *testing.T) {
	f := New(Image, Panic, "the kernel panicked")
	f.Line = "Kernel panic - not syncing: sysrq triggered crash"
	if got := f.Error(); got != `the kernel panicked (console: "Kernel panic - not syncing: sysrq triggered crash")` {
		t.Errorf("Error() = %q", got)
	}
	wrapped := fmt.Errorf("boot: %w", f)
	if g, ok := As(wrapped); !ok || !g.ImageFault() {
		t.Error("As does not find the fault")
	}
}

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	if f, err := Read(dir); f != nil || err != nil {
		t.Fatalf("no file: %v %v", f, err)
	}
	if err := Write(dir, New(Host, QEMUExited, "QEMU exited")); err != nil {
		t.Fatal(err)
	}
	f, err := Read(dir)
	if err != nil || f.Party != Host || f.Kind != QEMUExited {
		t.Fatalf("Read = %+v, %v", f, err)
	}
}
