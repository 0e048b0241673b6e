package main

// The fault model, end to end: each scenario injects one fault into a real
// run (an image that cannot boot, QEMU killed, libvirtd restarted, a port
// taken, a full disk, a guest that stops answering, an interrupt) and
// checks what it must come to: the exit code, the kind of the JUnit case
// that tells it, the gate's verdict, a schema-valid junit.xml and nothing
// left behind. The table of results is printed at the end and written to
// reports/faults.md.
//
// IMAGEGATE_FAULTS=all (make faults) runs every scenario; otherwise the
// quick ones run (make test).

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type faultRow struct {
	scenario, exit, kind, verdict, schema, left, took, note string
}

type faultEnv struct {
	bin, policy, fixtures string
	rows                  []faultRow
}

func TestE2EFaults(t *testing.T) {
	bin := e2eBinary(t)
	e := &faultEnv{bin: bin, policy: faultsPolicy(t), fixtures: filepath.Dir(fixtureImage(t))}
	all := os.Getenv("IMAGEGATE_FAULTS") == "all"
	defer e.writeTable(t)
	t.Run("image cannot boot", e.cannotBoot)
	t.Run("QEMU killed mid-boot", func(t *testing.T) { e.qemuKilledMidBoot(t, all) })
	t.Run("libvirtd restarted mid-run", e.libvirtdRestarted)
	t.Run("forwarded port taken", e.portTaken)
	t.Run("work dir on a full file system", e.diskFull)
	t.Run("interrupted mid-boot", e.interrupted)
	if all {
		t.Run("evidence collection fails", e.evidenceFails)
		t.Run("QEMU killed mid-checks", e.qemuKilledMidChecks)
	}
}

// one is a run of the fixture's x86_64 image with one check.
func (e *faultEnv) one(t *testing.T, reports, work string, extra ...string) *liveRun {
	args := append([]string{"run", "--matrix", "../../fixtures/matrix.yaml", "--image", "debian-12", "--arch", "x86_64",
		"--focus", "logs in with the injected key", "--reports", reports, "--work-dir", work}, extra...)
	return startRun(t, e.bin, args...)
}

// judge checks what a finished run left and adds its row: exit code, the
// kind of the case whose name starts with prefix, the gate's verdict, the
// schema, and nothing left over.
func (e *faultEnv) judge(t *testing.T, scenario string, r *liveRun, start time.Time, reports, work, image, prefix string,
	wantExit int, wantKind, wantVerdict, note string) {
	t.Helper()
	code := r.wait()
	took := time.Since(start)
	id := r.id()
	path := filepath.Join(reports, id, "junit.xml")
	d := readJUnit(t, path)
	target := image + "/x86_64"
	kind := caseKind(d, target, prefix)
	verdict := gateVerdict(t, e.bin, e.policy, filepath.Join(reports, id), image)
	schema := "valid"
	if schemaErr(path) != nil {
		schema = "INVALID"
	}
	left := "nothing"
	if what := leftovers(id, work); what != "" {
		left = what
	}
	if code != wantExit || kind != wantKind || verdict != wantVerdict || schema != "valid" || left != "nothing" {
		t.Errorf("%s: exit %d, %s, %s, schema %s, left %s; want exit %d, %s, %s\n%s", scenario, code, kind, verdict, schema, left,
			wantExit, wantKind, wantVerdict, r.output())
	}
	e.rows = append(e.rows, faultRow{scenario, fmt.Sprint(code), kind, verdict, schema, left, took.Round(time.Second).String(), note})
}

// cannotBoot: the no-init and kernel-panic images fail as the image's
// fault, soon after the console shows it (not at the 12-minute timeout).
func (e *faultEnv) cannotBoot(t *testing.T) {
	reports, work := t.TempDir(), t.TempDir()
	start := time.Now()
	r := startRun(t, e.bin, "run", "--matrix", "../../fixtures/faults.yaml", "--reports", reports, "--work-dir", work)
	r.waitFor("run ", time.Minute)
	lines := map[string]string{"debian-12-no-init": "(initramfs)", "debian-12-kernel-panic": "Kernel panic - not syncing"}
	seen := map[string]time.Time{}
	var mu sync.Mutex
	stop := make(chan struct{})
	for image, line := range lines {
		go func() { // when did the console first show it?
			p := filepath.Join(reports, r.id(), image, "x86_64", "console.log")
			for {
				if b, _ := os.ReadFile(p); strings.Contains(string(b), line) {
					mu.Lock()
					seen[image] = time.Now()
					mu.Unlock()
					return
				}
				select {
				case <-stop:
					return
				case <-time.After(250 * time.Millisecond):
				}
			}
		}()
	}
	<-r.done
	ended := time.Now()
	close(stop)
	for image, line := range lines {
		mu.Lock()
		at := seen[image]
		mu.Unlock()
		if at.IsZero() {
			t.Errorf("%s: the console never showed %q", image, line)
			continue
		}
		after := ended.Sub(at)
		if after > 60*time.Second {
			t.Errorf("%s: the run ended %s after the console showed %q; want within 60 s", image, after, line)
		}
		e.judge(t, "image: "+strings.TrimPrefix(image, "debian-12-"), r, start, reports, work, image, "boot:", 1, "failure", "reject",
			fmt.Sprintf("run ended %s after the console showed %q", after.Round(time.Second), line))
		if txt := caseText(filepath.Join(reports, r.id(), "junit.xml"), image+"/x86_64", "boot:"); !strings.Contains(txt, "image fault") || !strings.Contains(txt, "console tail") {
			t.Errorf("%s: the boot failure does not name the fault and the console tail:\n%s", image, txt)
		}
	}
}

// qemuKilledMidBoot: SIGKILL to QEMU while the guest boots is the host's
// fault; with --retries 1 the target is run again and passes.
// Under make test only --retries 0 runs: --retries 1 costs a whole boot
// more, and make faults has it.
func (e *faultEnv) qemuKilledMidBoot(t *testing.T, withRetry bool) {
	tries := []string{"0"}
	if withRetry {
		tries = append(tries, "1")
	}
	for _, retries := range tries {
		start := time.Now()
		reports, work := t.TempDir(), t.TempDir()
		r := e.one(t, reports, work, "--retries", retries)
		r.waitFor("waiting for SSH", 2*time.Minute)
		time.Sleep(5 * time.Second)
		syscall.Kill(qemuPID(t, r.id()), syscall.SIGKILL)
		if retries == "0" {
			e.judge(t, "QEMU SIGKILLed mid-boot, --retries 0", r, start, reports, work, "debian-12", "boot:", 2, "error", "inconclusive", "")
			if txt := caseText(filepath.Join(reports, r.id(), "junit.xml"), "debian-12/x86_64", "boot:"); !strings.Contains(txt, "QEMU exited") {
				t.Errorf("the boot error does not say QEMU exited:\n%s", txt)
			}
			continue
		}
		r.waitFor("not judged, retrying", 2*time.Minute)
		e.judge(t, "QEMU SIGKILLed mid-boot, --retries 1", r, start, reports, work, "debian-12", "ssh logs in", 0, "passed", "promote",
			"first attempt not judged (QEMU exited), second passed")
		if raw, _ := os.ReadFile(filepath.Join(reports, r.id(), "junit.xml")); !strings.Contains(string(raw), `name="retried" value="1: `) {
			t.Error("junit.xml does not record the retry")
		}
	}
}

// qemuKilledMidChecks: QEMU dies while checks run: the running check is an
// error, the rest not run; --retries 1 passes.
func (e *faultEnv) qemuKilledMidChecks(t *testing.T) {
	focus := []string{"--focus", "ssh logs in|cloud-init finished|refuses password|host keys announced|has no failed systemd units"}
	for _, retries := range []string{"0", "1"} {
		start := time.Now()
		reports, work := t.TempDir(), t.TempDir()
		args := append([]string{"run", "--matrix", "../../fixtures/matrix.yaml", "--image", "debian-12", "--arch", "x86_64",
			"--reports", reports, "--work-dir", work, "--retries", retries}, focus...)
		r := startRun(t, e.bin, args...)
		r.waitFor("check passed", 5*time.Minute)
		syscall.Kill(qemuPID(t, r.id()), syscall.SIGKILL)
		if retries == "0" {
			e.judge(t, "QEMU SIGKILLed mid-checks, --retries 0", r, start, reports, work, "debian-12", "evidence:", 2, "error", "inconclusive",
				"the check running errored, the rest not run")
			d := readJUnit(t, filepath.Join(reports, r.id(), "junit.xml"))
			var errs, notRun int
			for _, c := range d.Suites[0].Cases {
				switch {
				case c.Error != nil:
					errs++
				case c.Skipped != nil && c.Skipped.Type == "not-run":
					notRun++
				case c.Failure != nil:
					t.Errorf("%s failed: a host fault is not the image's", c.Name)
				}
			}
			if errs == 0 {
				t.Error("no check errored after QEMU was killed")
			}
			t.Logf("after the kill: %d errors, %d not run", errs, notRun)
			continue
		}
		r.waitFor("not judged, retrying", 5*time.Minute)
		e.judge(t, "QEMU SIGKILLed mid-checks, --retries 1", r, start, reports, work, "debian-12", "ssh logs in", 0, "passed", "promote",
			"second attempt passed")
	}
}

// libvirtdRestarted: libvirtd stops while the guest boots and starts
// again: the host's fault, and once it is back nothing is left.
func (e *faultEnv) libvirtdRestarted(t *testing.T) {
	start := time.Now()
	t.Cleanup(ensureLibvirtd)
	reports, work := t.TempDir(), t.TempDir()
	r := e.one(t, reports, work, "--retries", "0")
	r.waitFor("waiting for SSH", 2*time.Minute)
	time.Sleep(3 * time.Second)
	if out, err := exec.Command("pkill", "-x", "libvirtd").CombinedOutput(); err != nil {
		t.Fatalf("pkill libvirtd: %v %s", err, out)
	}
	for i := 0; i < 100 && exec.Command("pgrep", "-x", "libvirtd").Run() == nil; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(5 * time.Second)
	ensureLibvirtd()
	e.judge(t, "libvirtd stopped mid-boot, started 5 s later", r, start, reports, work, "debian-12", "boot:", 2, "error", "inconclusive", "")
	if txt := caseText(filepath.Join(reports, r.id(), "junit.xml"), "debian-12/x86_64", "boot:"); !strings.Contains(txt, "libvirtd") {
		t.Errorf("the boot error does not name libvirtd:\n%s", txt)
	}
}

// ensureLibvirtd starts libvirtd if it is not running and waits until it
// answers.
func ensureLibvirtd() {
	if exec.Command("pgrep", "-x", "libvirtd").Run() != nil {
		exec.Command("libvirtd", "-d").Run()
	}
	for i := 0; i < 100; i++ {
		if exec.Command("virsh", "-c", "qemu:///system", "version").Run() == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// portTaken: the SSH port asked for is held by another process.
func (e *faultEnv) portTaken(t *testing.T) {
	start := time.Now()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	reports, work := t.TempDir(), t.TempDir()
	r := e.one(t, reports, work, "--retries", "0", "--ssh-port", port)
	e.judge(t, "forwarded port taken (--ssh-port held by another process)", r, start, reports, work, "debian-12", "boot:", 2, "error", "inconclusive", "")
	if txt := caseText(filepath.Join(reports, r.id(), "junit.xml"), "debian-12/x86_64", "boot:"); !strings.Contains(txt, "127.0.0.1:"+port) {
		t.Errorf("the boot error does not name the port:\n%s", txt)
	}
}

// diskFull: the work dir is a 64 MiB tmpfs, too small for the pinned copy.
func (e *faultEnv) diskFull(t *testing.T) {
	start := time.Now()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	work := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64m", "imagegate-test", work).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	defer exec.Command("umount", work).Run()
	reports := t.TempDir()
	r := e.one(t, reports, work, "--retries", "0")
	e.judge(t, "work dir on a full file system (64 MiB tmpfs)", r, start, reports, work, "debian-12", "boot:", 2, "error", "inconclusive", "")
	if txt := caseText(filepath.Join(reports, r.id(), "junit.xml"), "debian-12/x86_64", "boot:"); !strings.Contains(txt, "no space left") {
		t.Errorf("the boot error does not say the disk is full:\n%s", txt)
	}
	if ents, _ := os.ReadDir(work); len(ents) != 0 {
		t.Errorf("the tmpfs still holds %v", ents)
	}
}

// evidenceFails: the guest stops answering (QEMU frozen) once the checks
// are done: the evidence case errors, the check keeps its result.
func (e *faultEnv) evidenceFails(t *testing.T) {
	start := time.Now()
	reports, work := t.TempDir(), t.TempDir()
	r := e.one(t, reports, work, "--retries", "0")
	r.waitFor("collecting evidence", 5*time.Minute)
	syscall.Kill(qemuPID(t, r.id()), syscall.SIGSTOP)
	e.judge(t, "guest stops answering before evidence (QEMU SIGSTOPped)", r, start, reports, work, "debian-12", "evidence:", 2, "error", "inconclusive",
		"the check stays passed")
	d := readJUnit(t, filepath.Join(reports, r.id(), "junit.xml"))
	if k := caseKind(d, "debian-12/x86_64", "ssh logs in"); k != "passed" {
		t.Errorf("the check is %s; it passed before the evidence failed and must stay passed", k)
	}
}

// interrupted: SIGINT and SIGTERM while the guest boots.
func (e *faultEnv) interrupted(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		start := time.Now()
		reports, work := t.TempDir(), t.TempDir()
		r := e.one(t, reports, work)
		r.waitFor("waiting for SSH", 2*time.Minute)
		time.Sleep(3 * time.Second)
		r.cmd.Process.Signal(sig)
		name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[sig]
		e.judge(t, name+" mid-boot", r, start, reports, work, "debian-12", "boot:", 2, "error", "inconclusive", "")
	}
}
