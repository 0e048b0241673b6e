package gate_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/gate"
	"github.com/imagegate/imagegate/harness/junitread"
	jt "github.com/imagegate/imagegate/harness/junitread/junitreadtest"
)

const policyYAML = `version: 1
images:
  - name: "deb*"
    arches: [x86_64, aarch64]
    suites: [baseline]
    tests: ["boot: *"]
    grace_days: 7
    waivers:
      - test: "baseline flaky thing"
        arches: [aarch64]
        tracker: https://bugs.example.org/1
        expires: 2026-12-31
      - test: "old waiver *"
        tracker: BUG-0
        expires: 2026-01-31
`

var (
	shaX   = strings.Repeat("1", 64)
	shaA   = strings.Repeat("2", 64)
	run1   = "20261110-100000-0001"
	run2   = "20261120-100000-0002"
	start1 = time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC)
	start2 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	now    = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
)

// target is deb on arch from run2, booted, with the given baseline cases
// after two passing ones.
func target(arch string, cases ...jt.Case) jt.Target {
	sha := shaX
	if arch == "aarch64" {
		sha = shaA
	}
	all := []jt.Case{jt.Boot()}
	for _, def := range []string{"ssh works", "dns works"} {
		if !slices.ContainsFunc(cases, func(c jt.Case) bool { return c.Suite == "baseline" && c.Name == def }) {
			all = append(all, jt.Pass("baseline", def))
		}
	}
	return jt.Target{Image: "deb", Arch: arch, SHA256: sha, RunID: run2, Started: start2, Cases: append(all, cases...)}
}

func green() []jt.Target { return []jt.Target{target("x86_64"), target("aarch64")} }

type gateCase struct {
	name     string
	reports  [][]jt.Target
	history  [][]jt.Target
	now      time.Time
	images   []string
	verdict  gate.Verdict
	blocking []gate.Kind
	notes    []gate.Kind
	exit     int
}

func TestDecisions(t *testing.T) {
	oldRun := jt.Target{Image: "deb", Arch: "x86_64", SHA256: strings.Repeat("9", 64), RunID: run1, Started: start1,
		Cases: []jt.Case{jt.Boot(), jt.Pass("baseline", "ssh works")}}
	cases := []gateCase{
		{name: "all green", reports: [][]jt.Target{green()}, verdict: gate.Promote, exit: 0},
		{name: "a failure", reports: [][]jt.Target{{target("x86_64", jt.Fail("baseline", "disk grows")), target("aarch64")}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.Failed}, exit: 1},
		{name: "an error", reports: [][]jt.Target{{target("x86_64", jt.Err("baseline", "disk grows")), target("aarch64")}},
			verdict: gate.Inconclusive, blocking: []gate.Kind{gate.ErrorCase}, exit: 2},
		{name: "a failure and an error", reports: [][]jt.Target{{target("x86_64", jt.Err("baseline", "a")), target("aarch64", jt.Fail("baseline", "b"))}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.ErrorCase, gate.Failed}, exit: 1},
		{name: "missing arch", reports: [][]jt.Target{{target("x86_64")}},
			verdict: gate.Inconclusive, blocking: []gate.Kind{gate.MissingArch}, exit: 2},
		{name: "nothing for the image", reports: [][]jt.Target{{{Image: "other", Arch: "x86_64", SHA256: shaX, Cases: []jt.Case{jt.Boot()}}}}, images: []string{"deb"},
			verdict: gate.Inconclusive, blocking: []gate.Kind{gate.MissingArch, gate.MissingArch}, exit: 2},
		{name: "waiver valid", reports: [][]jt.Target{{target("x86_64"), target("aarch64", jt.Fail("baseline", "flaky thing"))}},
			verdict: gate.Promote, notes: []gate.Kind{gate.Waived}, exit: 0},
		{name: "waiver for another arch", reports: [][]jt.Target{{target("x86_64", jt.Fail("baseline", "flaky thing")), target("aarch64")}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.Failed}, exit: 1},
		{name: "waiver valid until its expiry day ends", now: time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC),
			reports: [][]jt.Target{{target("x86_64"), target("aarch64", jt.Fail("baseline", "flaky thing"))}},
			verdict: gate.Promote, notes: []gate.Kind{gate.Waived}, exit: 0},
		{name: "waiver expired", now: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
			reports: [][]jt.Target{{target("x86_64"), target("aarch64", jt.Fail("baseline", "flaky thing"))}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.WaiverExpired}, exit: 1},
		{name: "old waiver expired", reports: [][]jt.Target{{target("x86_64", jt.Fail("baseline", "old waiver x")), target("aarch64")}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.WaiverExpired}, exit: 1},
		{name: "grace: new check failing", history: [][]jt.Target{{oldRun}},
			reports: [][]jt.Target{{target("x86_64", jt.Fail("baseline", "new check")), target("aarch64")}},
			verdict: gate.Promote, notes: []gate.Kind{gate.Grace}, exit: 0},
		{name: "grace over", history: [][]jt.Target{{oldRun}}, now: start2.Add(7 * 24 * time.Hour),
			reports: [][]jt.Target{{target("x86_64", jt.Fail("baseline", "new check")), target("aarch64")}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.Failed}, exit: 1},
		{name: "grace: an old check is not new", history: [][]jt.Target{{oldRun}},
			reports: [][]jt.Target{{target("x86_64"), target("aarch64", jt.Fail("baseline", "ssh works"))}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.Failed}, exit: 1},
		{name: "grace: no older run, nothing is new", reports: [][]jt.Target{{target("x86_64", jt.Fail("baseline", "new check")), target("aarch64")}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.Failed}, exit: 1},
		{name: "grace does not cover errors", history: [][]jt.Target{{oldRun}},
			reports: [][]jt.Target{{target("x86_64", jt.Err("baseline", "new check")), target("aarch64")}},
			verdict: gate.Inconclusive, blocking: []gate.Kind{gate.ErrorCase}, exit: 2},
		{name: "required suite missing", reports: [][]jt.Target{{target("x86_64"), {Image: "deb", Arch: "aarch64", SHA256: shaA, RunID: run2, Cases: []jt.Case{jt.Boot()}}}},
			verdict: gate.Inconclusive, blocking: []gate.Kind{gate.MissingSuite}, exit: 2},
		{name: "required test only skipped", reports: [][]jt.Target{{target("x86_64"),
			{Image: "deb", Arch: "aarch64", SHA256: shaA, RunID: run2, Cases: []jt.Case{jt.Skip("", "boot: x"), jt.Pass("baseline", "a")}}}},
			verdict: gate.Inconclusive, blocking: []gate.Kind{gate.ErrorCase, gate.MissingTest}, exit: 2},
		{name: "boot failed", reports: [][]jt.Target{{target("x86_64"),
			{Image: "deb", Arch: "aarch64", SHA256: shaA, RunID: run2, Cases: []jt.Case{jt.Fail("", "boot: the guest starts")}}}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.Failed, gate.MissingSuite}, exit: 1},
		{name: "run crashed", reports: [][]jt.Target{{target("x86_64"),
			{Image: "deb", Arch: "aarch64", SHA256: shaA, RunID: run2, Cases: []jt.Case{jt.Err("", "run")}}}},
			verdict: gate.Inconclusive, blocking: []gate.Kind{gate.ErrorCase, gate.MissingSuite, gate.MissingTest}, exit: 2},
		{name: "digest conflict", reports: [][]jt.Target{green(), {{Image: "deb", Arch: "x86_64", SHA256: strings.Repeat("f", 64), RunID: run2, Cases: []jt.Case{jt.Boot()}}}},
			verdict: gate.Inconclusive, blocking: []gate.Kind{gate.DigestConflict}, exit: 2},
		{name: "a re-run does not erase a failure", reports: [][]jt.Target{
			{target("x86_64", jt.Fail("baseline", "disk grows")), target("aarch64")},
			{{Image: "deb", Arch: "x86_64", SHA256: shaX, RunID: "20261121-000000-0003", Cases: []jt.Case{jt.Pass("baseline", "disk grows")}}}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.Failed}, exit: 1},
		{name: "a re-run judges what errored", reports: [][]jt.Target{
			{target("x86_64", jt.Err("baseline", "disk grows")), target("aarch64")},
			{{Image: "deb", Arch: "x86_64", SHA256: shaX, RunID: "20261121-000000-0003", Cases: []jt.Case{jt.Pass("baseline", "disk grows")}}}},
			verdict: gate.Promote, exit: 0},
		{name: "a focus run is not complete", reports: [][]jt.Target{{
			target("x86_64", jt.NotSel("baseline", "ssh works"), jt.NotSel("baseline", "dns works"), jt.Pass("baseline", "logs in")), target("aarch64")}},
			verdict: gate.Inconclusive, blocking: []gate.Kind{gate.NotSelected}, exit: 2},
		{name: "a focus re-run fills in a filtered run", reports: [][]jt.Target{
			{target("x86_64", jt.NotSel("baseline", "slow")), target("aarch64")},
			{{Image: "deb", Arch: "x86_64", SHA256: shaX, RunID: "20261121-000000-0003", Cases: []jt.Case{
				jt.NotSel("baseline", "ssh works"), jt.NotSel("baseline", "dns works"), jt.Pass("baseline", "slow")}}}},
			verdict: gate.Promote, exit: 0},
		{name: "a failure in a filtered run rejects", reports: [][]jt.Target{{
			target("x86_64", jt.NotSel("baseline", "dns works"), jt.Fail("baseline", "logs in")), target("aarch64")}},
			verdict: gate.Reject, blocking: []gate.Kind{gate.NotSelected, gate.Failed}, exit: 1},
		{name: "checks not run after the guest died", reports: [][]jt.Target{{
			target("x86_64", jt.Err("baseline", "logs in"), jt.NotRun("baseline", "dns works")), target("aarch64")}},
			verdict: gate.Inconclusive, blocking: []gate.Kind{gate.NotRun, gate.ErrorCase}, exit: 2},
		{name: "not applicable, with a reason, is listed", reports: [][]jt.Target{{target("x86_64", jt.NotApp("baseline", "selinux")), target("aarch64")}},
			verdict: gate.Promote, notes: []gate.Kind{gate.NotApplicableNote}, exit: 0},
		{name: "a report without a catalogue", reports: [][]jt.Target{{target("x86_64"), func() jt.Target { a := target("aarch64"); a.NoCatalogue = true; return a }()}},
			verdict: gate.Inconclusive, blocking: []gate.Kind{gate.NoCatalogue}, exit: 2},
		{name: "not-required failure", reports: [][]jt.Target{{target("x86_64", jt.Fail("extra", "nice to have")), target("aarch64")}},
			verdict: gate.Promote, notes: []gate.Kind{gate.NotRequired}, exit: 0},
		{name: "extra arch", reports: [][]jt.Target{append(green(), jt.Target{Image: "deb", Arch: "ppc64le", SHA256: shaX, Cases: []jt.Case{jt.Fail("", "boot: x")}})},
			verdict: gate.Promote, notes: []gate.Kind{gate.ExtraArch}, exit: 0},
		{name: "no policy", reports: [][]jt.Target{{{Image: "fedora", Arch: "x86_64", SHA256: shaX, Cases: []jt.Case{jt.Boot()}}}}, images: []string{"fedora"},
			verdict: gate.Inconclusive, blocking: []gate.Kind{gate.NoPolicy}, exit: 2},
	}
	pol, err := gate.Parse("policy.yaml", []byte(policyYAML))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkDecision(t, pol, c) })
	}
}

func checkDecision(t *testing.T, pol *gate.Policy, c gateCase) {
	in := gate.Input{Policy: pol, Now: now, Images: c.images}
	if !c.now.IsZero() {
		in.Now = c.now
	}
	if in.Images == nil {
		in.Images = []string{"deb"}
	}
	for i, r := range c.reports {
		in.Reports = append(in.Reports, jt.Report(t, "r"+string(rune('0'+i))+"/junit.xml", r...))
	}
	for i, r := range c.history {
		in.History = append(in.History, jt.Report(t, "h"+string(rune('0'+i))+"/junit.xml", r...))
	}
	res := gate.Evaluate(in)
	d := res.Decisions[0]
	var text bytes.Buffer
	res.WriteText(&text)
	if d.Verdict != c.verdict || res.ExitCode != c.exit {
		t.Errorf("verdict %s exit %d; want %s exit %d\n%s", d.Verdict, res.ExitCode, c.verdict, c.exit, text.String())
	}
	if got, want := kinds(d.Blocking), kindList(c.blocking); got != want {
		t.Errorf("blocking %s; want %s\n%s", got, want, text.String())
	}
	if got, want := kinds(d.Notes), kindList(c.notes); got != want {
		t.Errorf("notes %s; want %s\n%s", got, want, text.String())
	}
	var back gate.Result
	var js bytes.Buffer
	if err := res.WriteJSON(&js); err != nil || json.Unmarshal(js.Bytes(), &back) != nil || back.Decisions[0].Verdict != d.Verdict {
		t.Errorf("JSON does not round-trip: %v\n%s", err, js.String())
	}
}

func kinds(fs []gate.Finding) string {
	var ks []gate.Kind
	for _, f := range fs {
		if f.Kind != gate.StaleWaiver { // the policy's old waiver: see TestStaleWaiver
			ks = append(ks, f.Kind)
		}
	}
	return kindList(ks)
}

func kindList(ks []gate.Kind) string {
	var s []string
	for _, k := range ks {
		s = append(s, string(k))
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

// Every finding names where it comes from: arch, test and report file.
func TestFindingsNameTheirSource(t *testing.T) {
	pol, _ := gate.Parse("policy.yaml", []byte(policyYAML))
	res := gate.Evaluate(gate.Input{Policy: pol, Now: now, Reports: []*junitread.Report{
		jt.Report(t, "runs/1/junit.xml", target("x86_64", jt.Fail("baseline", "disk grows")))}})
	var text bytes.Buffer
	res.WriteText(&text)
	out := text.String()
	for _, want := range []string{"deb: REJECT", "policy deb* (policy.yaml:3)", `x86_64: failed: "baseline disk grows" failed: expected true, got false`,
		"aarch64: missing-arch: no results for deb/aarch64", "gate: 1 image(s): 0 promote, 1 reject, 0 inconclusive (exit 1)"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	f := res.Decisions[0].Blocking
	if f[0].File != "runs/1/junit.xml" && f[1].File != "runs/1/junit.xml" {
		t.Errorf("no file in %+v", f)
	}
}

// With no --image, every image of the reports and every literal policy
// name is decided; nothing at all to decide is inconclusive.
func TestScope(t *testing.T) {
	pol, _ := gate.Parse("p.yaml", []byte("version: 1\nimages:\n  - name: deb\n    arches: [x86_64]\n    suites: [baseline]\n  - name: \"fed*\"\n    arches: [x86_64]\n    suites: [baseline]\n"))
	res := gate.Evaluate(gate.Input{Policy: pol, Now: now, Reports: []*junitread.Report{
		jt.Report(t, "r", jt.Target{Image: "fed-40", Arch: "x86_64", SHA256: shaX, Cases: []jt.Case{jt.Boot(), jt.Pass("baseline", "x")}})}})
	if len(res.Decisions) != 2 || res.Decisions[0].Image != "deb" || res.Decisions[1].Verdict != gate.Promote || res.ExitCode != 2 {
		t.Errorf("scope: %+v", res.Decisions)
	}
	empty := gate.Evaluate(gate.Input{Policy: &gate.Policy{}, Now: now})
	if empty.ExitCode != 2 {
		t.Errorf("nothing decided exits %d", empty.ExitCode)
	}
}

// An expired waiver that no failure needs is a note, never blocking.
func TestStaleWaiver(t *testing.T) {
	pol, _ := gate.Parse("policy.yaml", []byte(policyYAML))
	res := gate.Evaluate(gate.Input{Policy: pol, Now: now, Reports: []*junitread.Report{jt.Report(t, "r", green()...)}})
	d := res.Decisions[0]
	if d.Verdict != gate.Promote || len(d.Notes) != 1 || d.Notes[0].Kind != gate.StaleWaiver || d.Notes[0].Tracker != "BUG-0" {
		t.Errorf("%+v", d)
	}
}

// A tests: pattern requires its checks to run: not applicable is not
// enough. The not-selected finding names every missing check and the
// command that runs them.
func TestRequiredChecksMustRunAndMissingOnesAreNamed(t *testing.T) {
	pol, err := gate.Parse("p.yaml", []byte("version: 1\nimages:\n  - name: deb\n    arches: [x86_64]\n    suites: [baseline]\n    tests: [\"baseline selinux *\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	na := jt.Report(t, "r/junit.xml", target("x86_64", jt.NotApp("baseline", "selinux enforces")))
	d := gate.Evaluate(gate.Input{Policy: pol, Reports: []*junitread.Report{na}, Now: now}).Decisions[0]
	if d.Verdict != gate.Inconclusive || kinds(d.Blocking) != "missing-test" || !strings.Contains(d.Blocking[0].Message, "no SELinux") {
		t.Errorf("required check not applicable: %s %+v", d.Verdict, d.Blocking)
	}
	focus := jt.Report(t, "f/junit.xml", target("x86_64", jt.Pass("baseline", "selinux enforces"),
		jt.NotSel("baseline", "ssh works"), jt.NotSel("baseline", "dns works")))
	res := gate.Evaluate(gate.Input{Policy: pol, Reports: []*junitread.Report{focus}, Now: now})
	f := res.Decisions[0].Blocking[0]
	if f.Kind != gate.NotSelected || strings.Join(f.Checks, ",") != "ssh works,dns works" ||
		!strings.HasSuffix(f.Command, "--expect-sha256 "+shaX+" --suite baseline") || !strings.Contains(f.Message, "2 of 3 checks") {
		t.Errorf("not-selected finding: %+v", f)
	}
	var text bytes.Buffer
	res.WriteText(&text)
	for _, want := range []string{"baseline ssh works", "baseline dns works", "run them: imagegate run"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
}
