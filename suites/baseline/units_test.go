package baseline

import "testing"

// One systemctl for all units is trusted only when it answered every unit
// with a known state, in order; else each unit is asked in turn.
func TestAllKnown(t *testing.T) {
	units := []string{"ssh.service", "ssh.socket"}
	if st, ok := allKnown(units, []string{"enabled", "disabled"}); !ok || st["ssh.service"] != "enabled" || st["ssh.socket"] != "disabled" {
		t.Errorf("both answered: %v %v", st, ok)
	}
	for _, answers := range [][]string{
		{"enabled"}, // systemd 252 stops at a unit that does not exist
		{"enabled", "disabled", "static"},
		{"enabled", "Failed to connect to bus: No such file or directory"},
	} {
		if st, ok := allKnown(units, answers); ok {
			t.Errorf("allKnown(%q) = %v: want the units asked in turn", answers, st)
		}
	}
}
