package names

import (
	"strings"
	"testing"
)

func TestValidImage(t *testing.T) {
	for _, s := range []string{"debian-12", "a", "0", "fedora-40.1_x", "a-"} {
		if !ValidImage(s) {
			t.Errorf("%q refused", s)
		}
	}
	for _, s := range []string{"", "-a", ".a", "_a", "Debian", "a b", "a/b", "debian-*", "a?"} {
		if ValidImage(s) {
			t.Errorf("%q accepted", s)
		}
	}
}

// A glob is valid exactly when putting a letter for each '*' and '?' gives
// a valid name.
func TestValidImageGlob(t *testing.T) {
	for _, s := range []string{"debian-12", "debian-*", "*", "?", "*-12", "deb?an", "a.*", "", "-a", "*/a", "Debian-*", "a b*", "**", "_*"} {
		want := ValidImage(strings.NewReplacer("*", "x", "?", "x").Replace(s))
		if got := ValidImageGlob(s); got != want {
			t.Errorf("ValidImageGlob(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestValidArch(t *testing.T) {
	for s, want := range map[string]bool{"x86_64": true, "aarch64": true, "s390x": true, "ppc64le": true,
		"": false, "X86_64": false, "x86-64": false, "arm 64": false} {
		if got := ValidArch(s); got != want {
			t.Errorf("ValidArch(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestID(t *testing.T) {
	if got := ID("debian-12", "x86_64"); got != "debian-12/x86_64" {
		t.Errorf("ID = %q", got)
	}
}
