package gate

import (
	"fmt"
	"strconv"

	"github.com/imagegate/imagegate/harness/junitread"
	"github.com/imagegate/imagegate/harness/report"
)

// stillFailing judges, under judge: regressions, a failed required check
// that the production image it was compared with fails too: listed as a
// note, not blocking, unless must_pass names it. It reports whether it
// applied. Without a comparison (no promoted image, or the check was not
// compared) the full rule applies.
func (ev *evaluator) stillFailing(ar *ArchResult, c junitread.Case) bool {
	if ev.entry.Judge != JudgeRegressions || c.Compare != report.StillFailing {
		return false
	}
	for _, p := range ev.entry.MustPass {
		if p.MatchCase(c) {
			return false
		}
	}
	ar.StillFailing++
	ev.note(about(Finding{Kind: StillFailingNote, Arch: ar.Arch, Message: fmt.Sprintf(
		"%q failed, and the production image fails it too (judge: regressions; must_pass does not name it): %s", c.FullName(), c.Message)}, c))
	return true
}

// compared is a failure's compare status for its message: " (new failure
// against production)", or "" when it was not compared.
func compared(c junitread.Case) string {
	if c.Compare == "" {
		return ""
	}
	return " (" + c.Compare + " against production)"
}

// bootSlowdown blocks when the entry bounds the boot slowdown and the
// candidate reached SSH more than that much slower than the production
// image it was compared with in the same run.
func (ev *evaluator) bootSlowdown(arch string, t junitread.Target) {
	if ev.entry.MaxBootSlowdown <= 0 {
		return
	}
	cand, err1 := strconv.ParseFloat(t.Property(report.PropBootToSSH), 64)
	prod, err2 := strconv.ParseFloat(t.Property(report.PropCompareBootToSSH), 64)
	if err1 != nil || err2 != nil || prod <= 0 {
		return // not compared: nothing to bound
	}
	if slow := (cand - prod) / prod * 100; slow > ev.entry.MaxBootSlowdown {
		ev.block(blocking(BootSlowdown, arch, fmt.Sprintf("boot to SSH took %.1f s, %.0f%% slower than the production image's %.1f s (max_boot_slowdown %.0f%%)",
			cand, slow, prod, ev.entry.MaxBootSlowdown)))
	}
}
