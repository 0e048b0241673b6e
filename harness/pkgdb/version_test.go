package pkgdb

import (
	"os/exec"
	"testing"
)

var debCases = []struct {
	a, b string
	want int // sign
}{
	{"1.0", "1.0", 0}, {"1.0", "1.1", -1}, {"1:1.0", "2.0", 1}, {"1.0~rc1", "1.0", -1},
	{"1.0-1", "1.0-2", -1}, {"9.2p1-2+deb12u3", "9.2p1-2+deb12u2", 1}, {"1.0a", "1.0", 1},
	{"1.0+b1", "1.0", 1}, {"2.10", "2.9", 1}, {"1.0~~", "1.0~", -1}, {"0.9", "0.10", -1},
	{"252.38-1~deb12u1", "252", 1}, {"1:9.2p1-2", "1:9.2p1", 1},
}

func sign(i int) int {
	switch {
	case i < 0:
		return -1
	case i > 0:
		return 1
	}
	return 0
}

func TestCompareDebian(t *testing.T) {
	for _, c := range debCases {
		if got := sign(Compare("dpkg", c.a, c.b)); got != c.want {
			t.Errorf("Compare(dpkg, %q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// The cases agree with dpkg itself, where it is installed.
func TestCompareDebianAgreesWithDpkg(t *testing.T) {
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("dpkg not installed")
	}
	for _, c := range debCases {
		for op, want := range map[string]bool{"lt": c.want < 0, "eq": c.want == 0, "gt": c.want > 0} {
			got := exec.Command("dpkg", "--compare-versions", c.a, op, c.b).Run() == nil
			if got != want {
				t.Errorf("dpkg says %s %s %s is %v; the table says %v", c.a, op, c.b, got, want)
			}
		}
	}
}

func TestCompareRPM(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.0-1", "1.0-1", 0}, {"1.0-1", "1.0-2", -1}, {"1:1.0-1", "2.0-1", 1}, {"1.0~rc1-1", "1.0-1", -1},
		{"1.10-1", "1.9-1", 1}, {"1.0a-1", "1.0-1", 1}, {"1.0.1-1", "1.0a-1", 1}, {"8.7p1-38.el9", "8.7p1-34.el9", 1},
		{"5.14.0-427.el9", "5.14.0-70.el9", 1},
	} {
		if got := sign(Compare("rpm", c.a, c.b)); got != c.want {
			t.Errorf("Compare(rpm, %q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if !Satisfies("dpkg", "1:9.2p1-2+deb12u3", ">=", "1:9.2") || Satisfies("dpkg", "1.0", "<<", "1.0") || !Satisfies("rpm", "1.0-1", "", "") {
		t.Error("Satisfies")
	}
}
