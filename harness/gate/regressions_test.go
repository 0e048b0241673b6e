package gate_test

import (
	"testing"

	"github.com/imagegate/imagegate/harness/gate"
	jt "github.com/imagegate/imagegate/harness/junitread/junitreadtest"
	"github.com/imagegate/imagegate/harness/report"
)

const regressionsPolicyYAML = `version: 1
images:
  - name: deb
    arches: [x86_64, aarch64]
    suites: [baseline]
    judge: regressions
    must_pass: ["baseline ssh *"]
    max_boot_slowdown: 25%
`

func compared(c jt.Case, status string) jt.Case { c.Compare = status; return c }

func withBoot(t jt.Target, cand, prod string) jt.Target {
	t.Props = [][2]string{{report.PropBootToSSH, cand}, {report.PropCompareBootToSSH, prod}}
	return t
}

// Under judge: regressions only new failures block; a failure the
// production image has too is listed, unless must_pass names it; without
// a comparison the full rule applies; the boot may be only so much slower.
func TestJudgeRegressions(t *testing.T) {
	cases := []gateCase{
		{name: "still failing is listed, not blocking", reports: [][]jt.Target{{target("x86_64", compared(jt.Fail("baseline", "dns works"), report.StillFailing)), target("aarch64")}},
			verdict: gate.Promote, notes: []gate.Kind{gate.StillFailingNote}, exit: 0},
		{name: "a new failure blocks", reports: [][]jt.Target{{target("x86_64", compared(jt.Fail("baseline", "dns works"), report.NewFailure),
			compared(jt.Fail("baseline", "grows"), report.StillFailing)), target("aarch64")}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.Failed}, notes: []gate.Kind{gate.StillFailingNote}, exit: 1},
		{name: "must_pass blocks even when still failing", reports: [][]jt.Target{{target("x86_64", compared(jt.Fail("baseline", "ssh works"), report.StillFailing)), target("aarch64")}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.Failed}, exit: 1},
		{name: "not compared: the full rule", reports: [][]jt.Target{{target("x86_64", jt.Fail("baseline", "dns works")), target("aarch64")}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.Failed}, exit: 1},
		{name: "boot 20% slower is within bounds", reports: [][]jt.Target{{withBoot(target("x86_64"), "72.0", "60.0"), target("aarch64")}},
			verdict: gate.Promote, exit: 0},
		{name: "boot 50% slower rejects", reports: [][]jt.Target{{withBoot(target("x86_64"), "90.0", "60.0"), target("aarch64")}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.BootSlowdown}, exit: 1},
	}
	pol, err := gate.Parse("policy.yaml", []byte(regressionsPolicyYAML))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkDecision(t, pol, c) })
	}
	for _, bad := range []string{"judge: some", "max_boot_slowdown: fast", "max_boot_slowdown: -5%"} {
		src := "version: 1\nimages:\n  - name: deb\n    arches: [x86_64]\n    suites: [baseline]\n    " + bad + "\n"
		if _, err := gate.Parse("p.yaml", []byte(src)); err == nil {
			t.Errorf("%q must be refused", bad)
		}
	}
}
