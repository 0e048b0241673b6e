package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the framework is where Ginkgo lives
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/imagegate/imagegate/harness/vm"
)

// InfraErrorFile, in a target's report folder, says the run could not
// judge the image because the host failed.
const InfraErrorFile = "infra-error.txt"

var current *Guest

// G is the booted guest of the running target. Specs call it inside It.
func G() *Guest {
	if current == nil || current.SSH == nil {
		Fail("the guest did not boot; see the [BeforeSuite] failure")
	}
	return current
}

type testingT struct{ failed bool }

func (t *testingT) Fail() { t.failed = true }

// RunTarget boots t's guest, runs the selected suites against it and writes
// Ginkgo's JSON report to <OutDir>/ginkgo.json. It returns whether every
// spec passed. It may be called once per process (a Ginkgo rule), which is
// why the orchestrator runs each target in a process of its own.
func RunTarget(t Target, progress io.Writer) (bool, error) {
	all, err := suitesFor(t.Suites)
	if err != nil {
		return false, err
	}
	var suites []Suite
	for _, s := range all {
		if s.AppliesTo(t) {
			suites = append(suites, s)
		}
	}
	if t.UserData, t.NetworkConfig, err = mergeUserData(t, suites); err != nil {
		return false, err
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(progress, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	gomega.RegisterFailHandler(Fail)
	declareBoot(t, logf)
	ReportAfterEach(func(r SpecReport) {
		if r.State.Is(types.SpecStateFailureStates) && current != nil {
			current.failed = true
		}
		if r.State.Is(types.SpecStatePassed | types.SpecStateFailureStates) {
			logf("check %s: %s (%s)", r.State, r.FullText(), r.RunTime.Round(time.Millisecond))
		}
	})
	for _, s := range suites {
		labels := append([]string{"suite:" + s.Name}, s.Labels...)
		Describe(s.Name, Label(labels...), s.Specs)
	}
	sc, rc := GinkgoConfiguration()
	sc.LabelFilter = t.LabelFilter
	sc.FocusStrings = t.Focus
	sc.Timeout = 3*t.BootTimeout + time.Hour
	rc.JSONReport = filepath.Join(t.OutDir, "ginkgo.json")
	rc.NoColor = true
	rc.Verbose = true
	ok := RunSpecs(&testingT{}, "imagegate "+t.ID(), Label("arch:"+t.Arch, "distro:"+t.Family), sc, rc)
	return ok, nil
}

// declareBoot adds the BeforeSuite that boots the guest. Cleanup steps are
// DeferCleanup nodes, so Ginkgo runs them in reverse order after the specs,
// on failure and on interrupt (SIGINT/SIGTERM) alike.
func declareBoot(t Target, logf func(string, ...any)) {
	cleanup := func(name string, f func(context.Context) error) {
		DeferCleanup(func(ctx SpecContext) error {
			if err := f(ctx); err != nil {
				return fmt.Errorf("cleanup %q: %w", name, err)
			}
			return nil
		}, NodeTimeout(3*time.Minute))
	}
	BeforeSuite(func(ctx SpecContext) {
		pinStart := time.Now()
		t, err := Pin(ctx, t, cleanup)
		gomega.Expect(err).NotTo(gomega.HaveOccurred(), "pin %s", t.ID())
		logf("pinned %s (sha256 %.12s) in %s", t.ImageOrigin, t.SHA256, time.Since(pinStart).Round(100*time.Millisecond))
		g, err := Boot(ctx, t, cleanup, logf)
		current = g
		if err != nil && g != nil {
			g.failed = true // a guest that never answered is a failure
		}
		if errors.Is(err, vm.ErrInfrastructure) {
			// The host failed, not the image: tell the orchestrator.
			os.WriteFile(filepath.Join(t.OutDir, InfraErrorFile), []byte(err.Error()+"\n"), 0o644)
		}
		gomega.Expect(err).NotTo(gomega.HaveOccurred(), "boot %s", t.ID())
		cleanup("close the pristine image", closePristine)
		// Runs first on the way out, while the guest is still up.
		cleanup("collect evidence", g.CollectEvidence)
		logf("waiting for cloud-init to finish")
		settleStart := time.Now()
		gomega.Expect(g.settle(ctx)).To(gomega.Succeed())
		g.Timings["cloud-init-settle"] = time.Since(settleStart).Seconds()
		AddReportEntry("boot-to-ssh-seconds", fmt.Sprintf("%.1f", g.BootToSSH.Seconds()))
	}, NodeTimeout(t.BootTimeout+5*time.Minute))
}

// settle waits for cloud-init to finish. cloud-init restarts sshd once it
// has written host keys, which can reset our first connection; one
// reconnect is expected and allowed. The status itself is judged by specs.
func (g *Guest) settle(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, g.Target.BootTimeout)
		_, err := g.Run(cctx, "cloud-init status --wait >/dev/null 2>&1; true")
		cancel()
		if err == nil {
			return nil
		}
		if attempt == 3 || ctx.Err() != nil {
			return fmt.Errorf("waiting for cloud-init on %s: %w", g.Target.ID(), err)
		}
		if !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "session") {
			return err
		}
		rctx, cancel := context.WithTimeout(ctx, g.Target.BootTimeout)
		err = g.SSH.Reconnect(rctx)
		cancel()
		if err != nil {
			return err
		}
	}
}
