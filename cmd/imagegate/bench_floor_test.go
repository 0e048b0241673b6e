package main

// The harness's overhead, measured against the floor: the same image
// booted by plain QEMU with the same devices and the same seed, until
// `cloud-init status --wait` returns over SSH. The floor trusts any host
// key (it is a stopwatch, not a test); imagegate keeps verifying them.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/imagegate/imagegate/harness/console"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/seed"
	"github.com/imagegate/imagegate/harness/sshx"
	"github.com/imagegate/imagegate/harness/vm"
)

// oneCheck is the check the overhead run selects: it needs the guest up
// and cloud-init done, and nothing more.
const oneCheck = "logs in with the injected key"

// BenchmarkHarnessOverhead runs, in turn, imagegate on one check of the
// x86_64 fixture and plain QEMU on the same image, in
// IMAGEGATE_BENCH_OVERHEAD_PAIRS pairs (default 2), and reports the ratio
// of their summed wall times (goal: 1.10 or less). Every second pair runs
// plain QEMU first (A B B A), so a machine that speeds up or slows down
// during the bench weighs on both sides alike; on a noisy day (boots here
// vary by a third from one to the next) more pairs narrow the ratio. It
// fails only when a measurement breaks.
func BenchmarkHarnessOverhead(b *testing.B) {
	bin := e2eBinary(b)
	pairs, _ := strconv.Atoi(os.Getenv("IMAGEGATE_BENCH_OVERHEAD_PAIRS"))
	pairs = max(pairs, 2)
	for i := 0; i < b.N; i++ {
		var ig, floor []float64
		var out string
		for pair := 1; pair <= pairs; pair++ {
			var wall, f time.Duration
			if pair%2 == 0 { // the seed of the run before serves the floor
				f = plainBoot(b, out)
				wall, out = oneCheckRun(b, bin, pair)
			} else {
				wall, out = oneCheckRun(b, bin, pair)
				f = plainBoot(b, out)
			}
			ig, floor = append(ig, wall.Seconds()), append(floor, f.Seconds())
			say(b, "pair %d: imagegate %.1fs (%s), plain QEMU %.1fs: ratio %.2f", pair, wall.Seconds(), phases(out), f.Seconds(), wall.Seconds()/f.Seconds())
			markFloor(b, out, f)
			table, _ := phaseTable(b, filepath.Dir(filepath.Dir(out)))
			say(b, "pair %d, imagegate's wall time by phase:\n%s", pair, table)
		}
		ratio := sum(ig) / sum(floor)
		b.ReportMetric(sum(ig)/float64(pairs), "imagegate-s")
		b.ReportMetric(sum(floor)/float64(pairs), "plain-qemu-s")
		b.ReportMetric(ratio, "ratio")
		each := make([]string, pairs)
		for k := range each {
			each[k] = fmt.Sprintf("%.2f", ig[k]/floor[k])
		}
		say(b, "harness overhead: %.2f× plain QEMU over %d pairs (goal 1.10; pair by pair %s)", ratio, pairs, strings.Join(each, ", "))
	}
}

// markFloor puts the plain-QEMU time on the imagegate run's timeline
// picture (floor.json beside its events, timeline.svg drawn again).
func markFloor(b *testing.B, dir string, floor time.Duration) {
	raw, _ := json.Marshal(map[string]float64{"cloud_init_done_seconds": floor.Seconds()})
	if err := os.WriteFile(filepath.Join(dir, run.FloorFile), raw, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := report.WriteTimeline(dir); err != nil {
		b.Fatal(err)
	}
}

func sum(xs []float64) (s float64) {
	for _, x := range xs {
		s += x
	}
	return s
}

// oneCheckRun times a whole `imagegate run` of one check on x86_64, from
// start to exit, and returns it with the target's report folder.
func oneCheckRun(b *testing.B, bin string, pair int) (time.Duration, string) {
	reports, _ := filepath.Abs(filepath.Join("../../reports", fmt.Sprintf("bench-overhead-%d", pair)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := imagegateCmd(ctx, bin, "run", "--matrix", "../../fixtures/matrix.yaml", "--arch", "x86_64",
		"--focus", oneCheck, "--reports", reports, "--work-dir", b.TempDir())
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("imagegate run --focus %q: %v\n%s", oneCheck, err, out)
	}
	return wall, filepath.Join(reports, "latest", "debian-12", "x86_64")
}

// phases is the run's own breakdown, from its timings.json.
func phases(dir string) string {
	raw, _ := os.ReadFile(filepath.Join(dir, "timings.json"))
	var m map[string]float64
	json.Unmarshal(raw, &m)
	return fmt.Sprintf("sshd answered %.1fs, host key confirmed %.1fs, cloud-init settle %.1fs, until evidence %.1fs",
		m["boot-to-ssh"], m["host-key-confirmed"], m["cloud-init-settle"], m["total-until-evidence"])
}

// plainBoot boots the fixture with plain QEMU, with the devices the libvirt
// domain has and the seed imagegate wrote (another key), and times it until
// `cloud-init status --wait` returns over SSH.
func plainBoot(b *testing.B, report string) time.Duration {
	work := b.TempDir()
	key, err := sshx.NewKey("floor")
	if err != nil {
		b.Fatal(err)
	}
	seedISO := floorSeed(b, report, key, work)
	args, consoleLog := floorArgs(b, work, seedISO)
	port, err := vm.FreePort()
	if err != nil {
		b.Fatal(err)
	}
	args = append(args, "-netdev", fmt.Sprintf("user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:%d-:22", port),
		"-device", "virtio-net-pci,netdev=n0,mac="+vm.GuestMAC)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	start := time.Now()
	qemu := exec.CommandContext(ctx, "qemu-system-x86_64", args...)
	var qerr bytes.Buffer
	qemu.Stderr = &qerr
	if err := qemu.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { qemu.Process.Kill(); qemu.Wait() }()
	sshUp := func() { say(b, "plain QEMU: sshd answered after %.1fs", time.Since(start).Seconds()) }
	if err := waitCloudInit(ctx, fmt.Sprintf("127.0.0.1:%d", port), key, sshUp); err != nil {
		b.Fatalf("plain QEMU: %v\nqemu: %s\nconsole tail:\n%s", err, qerr.String(), console.TailFile(consoleLog, 30))
	}
	return time.Since(start)
}

// floorSeed writes a NoCloud ISO with imagegate's seed files, its public
// key swapped for ours.
func floorSeed(b *testing.B, report string, key sshx.Key, work string) string {
	var p seed.Plan
	for _, name := range []string{"meta-data", "user-data", "network-config"} {
		data, err := os.ReadFile(filepath.Join(report, name))
		if os.IsNotExist(err) && name == "network-config" {
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		if name == "user-data" {
			data = swapKey(b, data, key.AuthorizedKey)
		}
		p.Files = append(p.Files, seed.File{Name: name, Data: data})
	}
	iso := filepath.Join(work, "seed.iso")
	if err := p.WriteISO(iso); err != nil {
		b.Fatal(err)
	}
	return iso
}

func swapKey(b *testing.B, userData []byte, ours string) []byte {
	var out []string
	swapped := false
	for _, l := range strings.Split(string(userData), "\n") {
		if i := strings.Index(l, "ssh-ed25519 "); i >= 0 {
			l, swapped = l[:i]+ours, true
		}
		out = append(out, l)
	}
	if !swapped {
		b.Fatal("imagegate's user-data has no ssh-ed25519 key to swap")
	}
	return []byte(strings.Join(out, "\n"))
}

// floorArgs are the x86_64 domain's devices as plain QEMU arguments: q35,
// OVMF, qemu64 under TCG with a 256 MiB translation cache, the fixture's
// memory and CPUs, a qcow2 overlay two GiB larger than the image, the seed
// read-only, the serial console to a file.
func floorArgs(b *testing.B, work, seedISO string) ([]string, string) {
	img := fixtureImage(b)
	overlay, vars, consoleLog := filepath.Join(work, "disk.qcow2"), filepath.Join(work, "VARS.fd"), filepath.Join(work, "console.log")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", img, overlay).CombinedOutput(); err != nil {
		b.Fatalf("qemu-img create: %v: %s", err, out)
	}
	if out, err := exec.Command("qemu-img", "resize", "-q", overlay, "+2G").CombinedOutput(); err != nil {
		b.Fatalf("qemu-img resize: %v: %s", err, out)
	}
	code, varsTemplate := "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"
	tmpl, err := os.ReadFile(varsTemplate)
	if err != nil {
		b.Fatal(err)
	}
	os.WriteFile(vars, tmpl, 0o600)
	return []string{"-machine", "q35", "-accel", fmt.Sprintf("tcg,tb-size=%d", vm.TBCacheMiB), "-cpu", "qemu64", "-m", "1024", "-smp", "1",
		"-nodefaults", "-display", "none", "-no-user-config",
		"-drive", "if=pflash,format=raw,readonly=on,file=" + code, "-drive", "if=pflash,format=raw,file=" + vars,
		"-drive", "file=" + overlay + ",if=virtio,format=qcow2", "-drive", "file=" + seedISO + ",if=virtio,format=raw,readonly=on",
		"-serial", "file:" + consoleLog}, consoleLog
}

// waitCloudInit logs in (any host key: a stopwatch) as soon as sshd
// answers, polling every second, and runs `cloud-init status --wait`;
// up is called once logged in.
func waitCloudInit(ctx context.Context, addr string, key sshx.Key, up func()) error {
	cfg := &ssh.ClientConfig{User: "imagegate", Auth: []ssh.AuthMethod{ssh.PublicKeys(key.Signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second}
	for {
		c, err := ssh.Dial("tcp", addr, cfg)
		if err == nil {
			if up != nil {
				up()
				up = nil
			}
			s, err := c.NewSession()
			if err == nil {
				err = s.Run("cloud-init status --wait --long >/dev/null 2>&1; true") // as Settle asks
				s.Close()
			}
			c.Close()
			if err == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no SSH login with cloud-init done: %w (last: %v)", ctx.Err(), err)
		case <-time.After(time.Second):
		}
	}
}
