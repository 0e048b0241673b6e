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

// A unit that does not exist is "not-found"; systemd that cannot be
// reached (the same errno, another message) is no state at all.
func TestUnitState(t *testing.T) {
	for answer, want := range map[string]string{
		"enabled ":  "enabled",
		"not-found": "not-found",
		"Failed to get unit file state for nope.service: No such file or directory ": "not-found", // recorded, systemd 252
		"Failed to connect to bus: No such file or directory":                        "",
		"": "",
	} {
		if st, ok := unitState(answer); st != want || ok != (want != "") {
			t.Errorf("unitState(%q) = %q, %v; want %q", answer, st, ok, want)
		}
	}
}
