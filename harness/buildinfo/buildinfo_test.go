package buildinfo

import "testing"

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		v, rev string
		dirty  bool
		want   string
	}{
		{"(devel)", "846361d0a1b2c3d4", false, "devel+846361d0a1b2"},
		{"v1.2.0", "846361d0a1b2c3d4", true, "v1.2.0+846361d0a1b2.dirty"},
		{"", "", false, "devel"},
	} {
		if got := format(c.v, c.rev, c.dirty); got != c.want {
			t.Errorf("format(%q, %q, %v) = %q, want %q", c.v, c.rev, c.dirty, got, c.want)
		}
	}
	if Version() == "" {
		t.Error("empty version")
	}
}
