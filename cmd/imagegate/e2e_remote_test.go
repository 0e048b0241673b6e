package main

// A remote libvirt host without a second machine: harness/nshost builds one
// out of namespaces (its own sshd and libvirtd, private /var/tmp, /root and
// /run/libvirt, its own loopback), reached only through a loopback bridge
// to a Unix socket. The fixture runs there over qemu+ssh: the candidate,
// seed and overlay are volumes uploaded through libvirt, the console comes
// back through libvirt's console stream, SSH to the guest goes through the
// SSH connection to the host. Nothing of the run is left on either side.

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imagegate/imagegate/harness/nshost"
)

func TestE2ERemoteLibvirt(t *testing.T) {
	if os.Getenv("IMAGEGATE_E2E_REMOTE_FULL") == "" {
		t.Skip("the whole baseline on the namespace host: make remote (make test runs TestE2ERemotePool)")
	}
	bin := e2eBinary(t)
	image := fixtureImage(t)
	dir := t.TempDir()
	h := startNSHost(t, dir)
	matrix := filepath.Join(dir, "matrix.yaml")
	os.WriteFile(matrix, []byte("images:\n"+matrixEntry("debian-12", image, image+".SHA256SUMS")), 0o644)
	reports, work := filepath.Join(dir, "reports"), filepath.Join(dir, "work")
	imagegate := func(uri string, extra ...string) (string, int) {
		t.Helper()
		args := append([]string{"run", "--matrix", matrix, "--libvirt-uri", uri, "--reports", reports, "--work-dir", work}, extra...)
		out, err := exec.Command(bin, args...).CombinedOutput()
		t.Logf("imagegate %s\n%s", strings.Join(args, " "), out)
		return string(out), exitCode(t, err)
	}

	t.Run("an unknown host key is refused", func(t *testing.T) {
		empty := filepath.Join(dir, "empty_known_hosts")
		os.WriteFile(empty, nil, 0o600)
		uri := strings.Replace(h.URI, "known_hosts=", "known_hosts="+empty+"&was=", 1)
		out, code := imagegate(uri, "--focus", "logs in with the injected key")
		if code == 0 || code == 1 || !strings.Contains(out, "host key") {
			t.Errorf("a libvirt host whose key is not known: exit %d, want an error (not a verdict) that names the host key", code)
		}
	})

	seen := watchPool(t, h)
	if _, code := imagegate(h.URI); code != 0 {
		t.Fatalf("the fixture on the namespace host over qemu+ssh: exit %d, want 0", code)
	}
	assertUploadedOnce(t, seen())
	id := runID(t, reports)
	run := filepath.Join(reports, id)
	doc := readJUnit(t, filepath.Join(run, "junit.xml"))
	passed := 0
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil || c.Error != nil {
				t.Errorf("%s: %s failed on the remote host", s.Name, c.Name)
			}
			if c.Skipped == nil {
				passed++
			}
		}
		if host := s.prop("host"); !strings.HasPrefix(host, "qemu+ssh://root@127.0.0.1:") || strings.Contains(host, "keyfile") {
			t.Errorf("%s: host property %q, want the qemu+ssh URI without its query", s.Name, host)
		}
	}
	if passed < 20 {
		t.Errorf("%d cases passed, want the baseline's", passed)
	}
	console := findFile(t, run, "console.log")
	if b, _ := os.ReadFile(console); !strings.Contains(string(b), "BEGIN SSH HOST KEY FINGERPRINTS") {
		t.Errorf("%s has no host key fingerprints: the console stream did not reach the local file", console)
	}
	assertNothingLeft(t, id, work)
	assertHostClean(t, h, id)

	// A kept guest there: its tunnel ends with spawn, imagegate ssh opens
	// it again on the same port (known_hosts still matches).
	args := []string{"spawn", "--matrix", matrix, "--image", "debian-12", "--libvirt-uri", h.URI, "--work-dir", work, "--reports", reports}
	out, err := exec.Command(bin, args...).CombinedOutput()
	t.Logf("imagegate %s\n%s", strings.Join(args, " "), out)
	m := regexp.MustCompile(`is up: (.+ ssh .+)   \(or: .*\); destroy with: (.+)`).FindStringSubmatch(string(out))
	if exitCode(t, err) != 0 || m == nil {
		t.Fatalf("spawn on the namespace host: no ssh line")
	}
	if out, _ := exec.Command("sh", "-c", m[1]+" id -un").CombinedOutput(); strings.TrimSpace(string(out)) != "imagegate" {
		t.Errorf("%s id -un after spawn ended: %q, want imagegate", m[1], out)
	}
	if out, err := exec.Command("sh", "-c", m[2]).CombinedOutput(); err != nil {
		t.Errorf("%s: %v\n%s", m[2], err, out)
	}
	assertHostClean(t, h, runID(t, reports))
}

// startNSHost starts a namespace host in dir/host, stopped at the test's end.
func startNSHost(t *testing.T, dir string) *nshost.Host {
	t.Helper()
	hostDir := filepath.Join(dir, "host")
	os.Mkdir(hostDir, 0o755)
	h, err := nshost.Start(context.Background(), hostDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Stop(); err != nil {
			t.Error(err)
		}
	})
	return h
}

// assertHostClean checks that the namespace host keeps nothing of the run:
// no domain, no QEMU, no volume or firmware variables in its pool.
func assertHostClean(t *testing.T, h *nshost.Host, runID string) {
	t.Helper()
	out, err := h.Run(context.Background(), "virsh", "-c", "qemu:///system", "list", "--all", "--name")
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("domains on the namespace host after the run (err %v): %q", err, out)
	}
	if out, err := h.Run(context.Background(), "pgrep", "-a", "qemu-system"); err == nil {
		t.Errorf("QEMU still runs on the namespace host:\n%s", out)
	}
	for _, d := range []string{"/var/lib/libvirt/images", "/var/lib/libvirt/qemu", "/var/tmp"} {
		filepath.WalkDir(h.Path(d), func(p string, e os.DirEntry, err error) error {
			base := filepath.Base(p)
			if err == nil && !e.IsDir() && (strings.Contains(base, runID) || strings.HasPrefix(base, "imagegate-cache@")) {
				t.Errorf("left on the namespace host: %s", p)
			}
			return nil
		})
	}
}

// watchPool records every volume name seen in imagegate's pool on the
// namespace host while a run goes on (every 200 ms); the returned func
// stops watching and gives the names.
func watchPool(t *testing.T, h *nshost.Host) func() []string {
	t.Helper()
	seen, stop, done := map[string]bool{}, make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			entries, _ := os.ReadDir(h.Path("/var/lib/libvirt/images/imagegate"))
			for _, e := range entries {
				seen[e.Name()] = true
			}
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	return func() []string {
		close(stop)
		<-done
		names := slices.Sorted(maps.Keys(seen))
		t.Logf("volumes seen on the namespace host during the run: %v", names)
		return names
	}
}

// assertUploadedOnce checks that the candidate went to the host once for
// the first guest and its second instance: one cache volume, a marker of
// each guest naming it, and no per-guest copy.
func assertUploadedOnce(t *testing.T, names []string) {
	t.Helper()
	var content []string
	users := map[string][]string{}
	for _, n := range names {
		if k, ok := strings.CutPrefix(n, "imagegate-cache@"); ok && !strings.HasSuffix(k, ".done") {
			content = append(content, k)
		}
		if dom, k, ok := strings.Cut(n, "@uses-"); ok {
			users[k] = append(users[k], dom)
		}
		if strings.HasSuffix(n, "@image") {
			t.Errorf("a guest uploaded its own copy of the candidate: %s", n)
		}
	}
	if len(content) != 1 || len(users[content[0]]) != 2 {
		t.Errorf("cached content %v used by %v: want the candidate once, used by the guest and its second instance", content, users)
	}
}

// findFile is the first file named name under dir.
func findFile(t *testing.T, dir, name string) string {
	t.Helper()
	var found string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && found == "" && e.Name() == name {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("no %s under %s", name, dir)
	}
	return found
}
