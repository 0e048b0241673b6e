package main

// An ordinary user, with libvirt's per-user daemon (qemu:///session, the
// default for anyone but root): one target green, then a spawn + ssh round
// trip, keys and work files under the user's own folders, and nothing of
// the user's left running afterwards.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const rootlessUser = "imagegate-e2e"

func TestE2ERootless(t *testing.T) {
	bin := e2eBinary(t)
	t.Parallel() // one guest at a time: shares the host with another such test (see e2eBinary)
	image := fixtureImage(t)
	if os.Geteuid() != 0 {
		t.Skip("creating an ordinary user needs root")
	}
	home := newUser(t, rootlessUser)
	dir := filepath.Join(home, "sig")
	os.MkdirAll(dir, 0o755)
	copyTree(t, bin, filepath.Join(dir, "imagegate"))
	copyTree(t, image, filepath.Join(dir, "image.qcow2"))
	sums, _ := os.ReadFile(image + ".SHA256SUMS")
	os.WriteFile(filepath.Join(dir, "image.qcow2.SHA256SUMS"), []byte(strings.Replace(string(sums), filepath.Base(image), "image.qcow2", 1)), 0o644)
	os.WriteFile(filepath.Join(dir, "matrix.yaml"), []byte("images:\n"+matrixEntry("debian-12", "image.qcow2", "image.qcow2.SHA256SUMS")), 0o644)
	chown(t, home, rootlessUser)
	as := func(args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command("runuser", append([]string{"-u", rootlessUser, "--", "env", "-i", "HOME=" + home, "PATH=" + sigPATH, "LANG=C.UTF-8"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		t.Logf("as %s: %s\n%s", rootlessUser, strings.Join(args, " "), out)
		return string(out), exitCode(t, err)
	}

	if out, code := as("./imagegate", "run", "--matrix", "matrix.yaml", "--suite", "baseline", "--label-filter", "!slow"); code != 0 ||
		!strings.Contains(out, "debian-12/x86_64             passed") {
		t.Fatalf("one target as %s: exit %d, want 0", rootlessUser, code)
	}
	fates := caseFates(t, filepath.Join(dir, "reports", "latest", "junit.xml"), "baseline")
	if fates["ssh logs in with the injected key as the seeded user, with working sudo"] != "passed" || len(fates) < 30 {
		t.Errorf("baseline as an ordinary user: %v", fates)
	}

	out, code := as("./imagegate", "spawn", "--matrix", "matrix.yaml", "--image", "debian-12")
	m := regexp.MustCompile(`is up: (.+ ssh \S+)   \(or: .*\); destroy with: (.+)`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("spawn as %s: exit %d, no ssh line", rootlessUser, code)
	}
	if !strings.Contains(out, filepath.Join(home, ".cache", "imagegate", "work")) {
		t.Errorf("the kept guest's key must be under the user's own cache folder")
	}
	if out, _ := as("sh", "-c", m[1]+" id -un"); strings.TrimSpace(out) != "imagegate" {
		t.Errorf("%s id -un: %q, want imagegate", m[1], out)
	}
	if _, code := as("sh", "-c", m[2]); code != 0 {
		t.Errorf("%s: exit %d", m[2], code)
	}
	if left, _ := filepath.Glob(filepath.Join(home, ".cache", "imagegate", "work", "*")); len(left) > 0 {
		t.Errorf("work files left: %v", left)
	}
	// libvirt's session daemons, started for the user, end once idle. A
	// zombie has ended too: reaping an orphan is the init process's job
	// (here, one that reaps late).
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ps := running(rootlessUser)
		if ps == "" {
			t.Logf("nothing of %s's runs any more", rootlessUser)
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("processes of %s still run 2 minutes after the last command:\n%s", rootlessUser, ps)
			break
		}
		time.Sleep(5 * time.Second)
	}
}

// running lists the user's processes that have not ended (not zombies).
func running(user string) string {
	out, _ := exec.Command("ps", "-u", user, "-o", "stat=,pid=,args=").Output()
	var live []string
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) > 0 && !strings.HasPrefix(f[0], "Z") {
			live = append(live, strings.TrimSpace(l))
		}
	}
	return strings.Join(live, "\n")
}

// newUser creates an ordinary user with a home of its own, removed (with
// anything it left running) when the test ends.
func newUser(t *testing.T, name string) string {
	t.Helper()
	removeUser(name)
	if out, err := exec.Command("useradd", "--create-home", "--shell", "/bin/sh", name).CombinedOutput(); err != nil {
		t.Fatalf("useradd %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() { removeUser(name) })
	return filepath.Join("/home", name)
}

func removeUser(name string) {
	exec.Command("pkill", "-KILL", "-u", name).Run()
	time.Sleep(200 * time.Millisecond)
	exec.Command("userdel", "--remove", name).Run()
}

func chown(t *testing.T, path, user string) {
	t.Helper()
	if out, err := exec.Command("chown", "-R", user+":", path).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v\n%s", err, out)
	}
}
