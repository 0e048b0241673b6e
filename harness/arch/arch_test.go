package arch

import (
	"strings"
	"testing"
)

func TestLookupAliases(t *testing.T) {
	for _, name := range []string{"x86_64", "amd64", " X86_64 "} {
		a, err := Lookup(name)
		if err != nil || a.Name != "x86_64" {
			t.Errorf("Lookup(%q) = %q, %v; want x86_64", name, a.Name, err)
		}
	}
	if _, err := Lookup("mips"); err == nil || !strings.Contains(err.Error(), "x86_64") {
		t.Errorf("Lookup(mips) error = %v; want one listing known arches", err)
	}
}

func TestRowsComplete(t *testing.T) {
	for _, a := range table {
		if a.Console == "" || a.TCGFactor < 1 || (a.Firmware != UEFI && a.Firmware != Builtin) {
			t.Errorf("row %s is incomplete: %+v", a.Name, a)
		}
	}
}

func TestTimeoutFactor(t *testing.T) {
	a, _ := Lookup("aarch64")
	if a.TimeoutFactor(TCG) <= a.TimeoutFactor(KVM) {
		t.Errorf("TCG factor %v should exceed KVM's %v", a.TimeoutFactor(TCG), a.TimeoutFactor(KVM))
	}
}
