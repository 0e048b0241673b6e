package framework

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the framework is where Ginkgo lives
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/console"
	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/fault"
	"github.com/imagegate/imagegate/harness/run"
)

var (
	current *Guest
	// events receives the target's progress as data (nil: nobody listens).
	events *event.Sink
)

// G is the booted guest of the running target. Specs call it inside It.
func G() *Guest {
	if current == nil || current.SSH == nil {
		Fail("the guest did not boot; see the [BeforeSuite] failure")
	}
	return current
}

type testingT struct{ failed bool }

func (t *testingT) Fail() { t.failed = true }

// RunTarget boots t's guest, runs the selected checks against it and
// writes the results (results.json) and Ginkgo's own JSON report
// (ginkgo.json) into t.Layout.Out. The spec tree holds every suite that
// applies to t, exactly as the catalogue was taken (TakeCatalogue); t's
// selection only filters it. It returns whether every selected check
// passed. It may be called once per process (a Ginkgo rule), which is why
// the orchestrator runs each target in a process of its own.
func RunTarget(t run.Target, progress io.Writer, sink *event.Sink) (bool, error) {
	events = sink
	suites, err := applicable(t)
	if err != nil {
		return false, err
	}
	filter, err := Filter(t.Options.Selection)
	if err != nil {
		return false, err
	}
	if t.Options.UserData, t.Options.NetworkConfig, err = mergeUserData(t, selected(t, suites)); err != nil {
		return false, err
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(progress, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	gomega.RegisterFailHandler(Fail)
	declareBoot(t, logf)
	declareEvidence(logf)
	declareResults(t)
	ReportAfterEach(func(r SpecReport) {
		if r.State.Is(types.SpecStateFailureStates) && current != nil {
			current.failed = true
		}
		fate := specFate(r)
		if r.LeafNodeType == types.NodeTypeIt {
			events.Emit(event.CheckOf(r.FullText(), string(fate), r.RunTime))
		}
		switch {
		case r.State.Is(types.SpecStatePassed | types.SpecStateFailureStates):
			logf("check %s: %s (%s)", r.State, r.FullText(), r.RunTime.Round(time.Millisecond))
		case fate == catalogue.NotApplicable:
			logf("check not applicable: %s (%s)", r.FullText(), r.Failure.Message)
		}
	})
	declareSuites(suites)
	sc, rc := GinkgoConfiguration()
	sc.LabelFilter, sc.FocusStrings = filter, t.Options.Selection.Focus
	sc.Timeout = 3*t.Machine.BootTimeout + time.Hour
	rc.JSONReport = t.Layout.Ginkgo()
	rc.NoColor = true
	rc.Verbose = true
	ok := RunSpecs(&testingT{}, "imagegate "+t.ID(), Label("arch:"+t.Image.Arch, "distro:"+t.Image.Family), sc, rc)
	return ok, nil
}

// declareSuites puts each suite in a container labelled suite:<name>.
func declareSuites(suites []Suite) {
	for _, s := range suites {
		labels := append([]string{"suite:" + s.Name}, s.Labels...)
		Describe(s.Name, Label(labels...), s.Specs)
	}
}

// Filter is the Ginkgo label filter of a selection: its
// --label-filter, narrowed to its --suite selection (suite:<name>
// labels). It checks the filter and the --focus expressions, so a typo is
// a usage error before anything boots.
func Filter(sel run.Selection) (string, error) {
	var parts []string
	if strings.TrimSpace(sel.LabelFilter) != "" {
		if _, err := types.ParseLabelFilter(sel.LabelFilter); err != nil {
			return "", fmt.Errorf("--label-filter %q: %s", sel.LabelFilter, firstLineOf(err))
		}
		parts = append(parts, "("+sel.LabelFilter+")")
	}
	if len(sel.Suites) > 0 {
		var names []string
		for _, s := range sel.Suites {
			names = append(names, "suite:"+s)
		}
		parts = append(parts, "("+strings.Join(names, " || ")+")")
	}
	for _, f := range sel.Focus {
		if _, err := regexp.Compile(f); err != nil {
			return "", fmt.Errorf("--focus %q: not a regular expression: %v", f, err)
		}
	}
	return strings.Join(parts, " && "), nil
}

func firstLineOf(err error) string {
	s := console.Clean([]byte(err.Error())) // Ginkgo colours its errors
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && l != "Syntax Error Parsing Label Filter" {
			return l
		}
	}
	return strings.TrimSpace(s)
}

// declareBoot adds the BeforeSuite that pins the image and boots the
// guest. Cleanup steps are DeferCleanup nodes, so Ginkgo runs them in
// reverse order after the specs, on failure and on interrupt alike. A boot
// that fails through no fault of the image is an error, not a failure.
func declareBoot(t run.Target, logf func(string, ...any)) {
	undo := func(name string, f func(context.Context) error) {
		DeferCleanup(func(ctx SpecContext) error {
			if err := f(ctx); err != nil {
				return fmt.Errorf("cleanup %q: %w", name, err)
			}
			return nil
		}, NodeTimeout(3*time.Minute))
	}
	BeforeSuite(func(ctx SpecContext) {
		pinStart := time.Now()
		events.Emit(event.PhaseOf(event.Pinning, t.Image.Path))
		t, err := Pin(ctx, t, undo)
		if err != nil {
			bootFailed(ctx, t, hostFault(err))
		}
		logf("pinned %s (sha256 %.12s) in %s", t.Image.Path, t.Image.SHA256, time.Since(pinStart).Round(100*time.Millisecond))
		undo("close the pristine image", closePristine)
		g, err := Boot(ctx, t, undo, logf)
		current = g
		if err != nil {
			bootFailed(ctx, t, err)
		}
		logf("waiting for cloud-init to finish")
		events.Emit(event.PhaseOf(event.Settling, ""))
		settleStart := time.Now()
		if err := g.settle(ctx); err != nil {
			bootFailed(ctx, t, err)
		}
		g.timing("cloud-init-settle", time.Since(settleStart))
		events.Emit(event.PhaseOf(event.Checking, ""))
		AddReportEntry("boot-to-ssh-seconds", fmt.Sprintf("%.1f", g.BootToSSH.Seconds()))
	}, NodeTimeout(t.Machine.BootTimeout+5*time.Minute))
}

// bootFailed ends the BeforeSuite: a failure when the image is at fault,
// else an error; an interrupt is neither (Ginkgo reports it).
func bootFailed(ctx context.Context, t run.Target, err error) {
	GinkgoHelper()
	if ctx.Err() != nil {
		Fail(fmt.Sprintf("%s: interrupted while booting: %v", t.ID(), err))
	}
	f, ok := fault.As(err)
	if !ok {
		f = fault.New(fault.Host, fault.HostSetup, "%v", err)
	}
	if current != nil {
		current.recordFault(f, func(string, ...any) {})
		current.failed = f.ImageFault()
	} else {
		fault.Write(t.Layout.Out, f)
	}
	markOutcome(f)
	Fail(bootError(t, f))
}

// declareEvidence adds the AfterSuite that collects evidence from the
// guest while it is still up (it runs before the cleanup nodes). Its
// failure is the host's: an error on its own case; checks keep their
// results.
func declareEvidence(logf func(string, ...any)) {
	AfterSuite(func(ctx SpecContext) {
		g := current
		switch {
		case g == nil || g.SSH == nil:
			GinkgoWriter.Println("the guest never answered SSH: the console log is the evidence")
			return
		case g.dead() != nil:
			// It came up and died since: the death counts even if no
			// check was running (a panic after the last check), by its
			// fault; the console log is the evidence.
			markOutcome(g.dead())
			Fail("the guest died before its evidence could be collected: " + describe(g.dead(), g.Machine.ConsolePath()))
		}
		logf("collecting evidence")
		events.Emit(event.PhaseOf(event.Evidence, ""))
		if err := g.CollectEvidence(ctx); err != nil {
			Fail(err.Error())
		}
	}, NodeTimeout(4*time.Minute))
}

// settle waits for cloud-init to finish. cloud-init restarts sshd once it
// has written host keys, which can reset our first connection; one
// reconnect is expected and allowed. The status itself is judged by specs.
// A guest that dies meanwhile returns its fault; one whose cloud-init
// never finishes is the image's fault.
func (g *Guest) settle(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, g.Target.Machine.BootTimeout)
		_, err := g.Run(cctx, "cloud-init status --wait >/dev/null 2>&1; true")
		timedOut := cctx.Err() != nil && ctx.Err() == nil
		cancel()
		switch {
		case err == nil:
			return nil
		case g.dead() != nil:
			return g.dead()
		case ctx.Err() != nil:
			return err
		case timedOut:
			return fault.New(fault.Image, "cloud-init-hung", "cloud-init did not finish within %s", g.Target.Machine.BootTimeout)
		case attempt == 3:
			return fault.New(fault.Unknown, fault.Stopped, "waiting for cloud-init on %s: %v", g.Target.ID(), err)
		}
		if err := g.reconnect(ctx); err != nil {
			return err
		}
	}
}

// reconnect waits for SSH again (sshd restarted, or the guest rebooted)
// until the boot timeout, the guest's death or the end of ctx. Not coming
// back is judged like a first boot that never answered (timeoutFault).
func (g *Guest) reconnect(ctx context.Context) error {
	return g.untilUp(ctx, g.SSH.Reconnect)
}
