package gate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/gate"
	jt "github.com/imagegate/imagegate/harness/junitread/junitreadtest"
)

const flakyPolicyYAML = `version: 1
images:
  - name: deb
    arches: [x86_64, aarch64]
    suites: [baseline]
    quarantine:
      - test: "baseline known flaky *"
        arches: [aarch64]
        tracker: https://bugs.example.org/7
        expires: 2026-12-31
  - name: lenient
    arches: [x86_64]
    suites: [baseline]
    flaky: allow
    quarantine:
      - test: "baseline gone stale"
        tracker: BUG-10
        expires: 2026-11-01
`

// A check that failed, then passed on a rerun is not a pass unless the
// policy says so; a quarantine entry keeps a known-flaky check from
// blocking until it expires, and then it blocks.
func TestFlakyAndQuarantine(t *testing.T) {
	lenient := func(cases ...jt.Case) []jt.Target {
		x := target("x86_64", cases...)
		x.Image = "lenient"
		return []jt.Target{x}
	}
	expired := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []gateCase{
		{name: "flaky blocks by default", reports: [][]jt.Target{{target("x86_64", jt.Flaky("baseline", "logs in")), target("aarch64")}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.FlakyCheck}, exit: 1},
		{name: "flaky, quarantined", reports: [][]jt.Target{{target("x86_64"), target("aarch64", jt.Flaky("baseline", "known flaky dns"))}},
			verdict: gate.Promote, notes: []gate.Kind{gate.Quarantined}, exit: 0},
		{name: "failed, quarantined", reports: [][]jt.Target{{target("x86_64"), target("aarch64", jt.Fail("baseline", "known flaky dns"))}},
			verdict: gate.Promote, notes: []gate.Kind{gate.Quarantined}, exit: 0},
		{name: "quarantine is per arch", reports: [][]jt.Target{{target("x86_64", jt.Flaky("baseline", "known flaky dns")), target("aarch64")}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.FlakyCheck}, exit: 1},
		{name: "quarantine expired", now: expired, reports: [][]jt.Target{{target("x86_64"), target("aarch64", jt.Flaky("baseline", "known flaky dns"))}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.QuarantineExpired}, exit: 1},
		{name: "quarantine expired, failed", now: expired, reports: [][]jt.Target{{target("x86_64"), target("aarch64", jt.Fail("baseline", "known flaky dns"))}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.QuarantineExpired}, exit: 1},
		{name: "flaky, not required", reports: [][]jt.Target{{target("x86_64", jt.Flaky("extra", "nice")), target("aarch64")}},
			verdict: gate.Promote, notes: []gate.Kind{gate.NotRequired}, exit: 0},
		{name: "flaky allowed", images: []string{"lenient"}, reports: [][]jt.Target{lenient(jt.Flaky("baseline", "logs in"))},
			verdict: gate.Promote, notes: []gate.Kind{gate.FlakyAllowed, gate.StaleQuarantine}, exit: 0},
		{name: "flaky allowed, a failure still rejects", images: []string{"lenient"}, reports: [][]jt.Target{lenient(jt.Flaky("baseline", "a"), jt.Fail("baseline", "b"))},
			verdict: gate.Reject, blocking: []gate.Kind{gate.Failed}, notes: []gate.Kind{gate.FlakyAllowed, gate.StaleQuarantine}, exit: 1},
		{name: "flaky allowed, but its quarantine expired", images: []string{"lenient"}, reports: [][]jt.Target{lenient(jt.Flaky("baseline", "gone stale"))},
			verdict: gate.Reject, blocking: []gate.Kind{gate.QuarantineExpired}, exit: 1},
	}
	pol, err := gate.Parse("policy.yaml", []byte(flakyPolicyYAML))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkDecision(t, pol, c) })
	}
}

func TestFlakyPolicyErrors(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"flaky: sometimes", `images[0].flaky: "sometimes": want block`},
		{"quarantine:\n      - test: x\n        arches: [s390x]\n        tracker: T\n        expires: 2027-01-01", `images[0].quarantine[0].arches: "s390x" is not one of this entry's arches`},
		{"quarantine:\n      - test: x\n        tracker: T", `images[0].quarantine[0].expires: required key "expires" is missing`},
	} {
		src := "version: 1\nimages:\n  - name: deb\n    arches: [x86_64]\n    suites: [baseline]\n    " + c.yaml + "\n"
		_, err := gate.Parse("p.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %q", c.yaml, err, c.want)
		}
	}
}
