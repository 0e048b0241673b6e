package main

// A pool of two libvirt hosts: the namespace host (qemu+ssh) and this one.
// Two targets run at once, one on each, and each report says where; with
// the namespace host's libvirtd stopped before the run, both go to this
// host and the run says why (make remote; make test runs the first part).

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestE2ERemotePool(t *testing.T) {
	bin := e2eBinary(t)
	image := fixtureImage(t)
	dir := t.TempDir()
	h := startNSHost(t, dir)
	matrix := filepath.Join(dir, "matrix.yaml")
	os.WriteFile(matrix, []byte("images:\n"+matrixEntry("debian-12", image, image+".SHA256SUMS")+
		matrixEntry("debian-12-again", image, image+".SHA256SUMS")), 0o644)
	hosts := filepath.Join(dir, "hosts.yaml")
	os.WriteFile(hosts, []byte("hosts:\n  - name: nshost\n    uri: '"+h.URI+"'\n  - name: local\n    uri: qemu:///system\n    capacity: 2\n"), 0o644)
	reports, work := filepath.Join(dir, "reports"), filepath.Join(dir, "work")
	run := func(t *testing.T) (string, map[string]string) {
		t.Helper()
		args := []string{"run", "--matrix", matrix, "--hosts", hosts, "--focus", "logs in with the injected key",
			"--reports", reports, "--work-dir", work}
		out, err := exec.Command(bin, args...).CombinedOutput()
		t.Logf("imagegate %s\n%s", strings.Join(args, " "), out)
		if code := exitCode(t, err); code != 0 {
			t.Fatalf("exit %d, want 0", code)
		}
		id := runID(t, reports)
		ran := map[string]string{}
		for _, s := range readJUnit(t, filepath.Join(reports, id, "junit.xml")).Suites {
			ran[s.Name] = s.prop("host")
		}
		assertNothingLeft(t, id, work)
		return id, ran
	}

	id, ran := run(t)
	var where []string
	for _, host := range ran {
		where = append(where, strings.SplitN(host, ":", 2)[0])
	}
	slices.Sort(where)
	if len(ran) != 2 || !slices.Equal(where, []string{"qemu", "qemu+ssh"}) {
		t.Errorf("two targets on a two-host pool ran on %v, want one on each host", ran)
	}
	assertHostClean(t, h, id)

	t.Run("a host that does not answer is left out", func(t *testing.T) {
		if os.Getenv("IMAGEGATE_E2E_REMOTE_FULL") == "" {
			t.Skip("two more boots (3.5 min): make remote")
		}
		if err := h.StopLibvirtd(context.Background()); err != nil {
			t.Fatal(err)
		}
		_, ran := run(t)
		for target, host := range ran {
			if host != "qemu:///system" {
				t.Errorf("%s ran on %q with the namespace host's libvirtd stopped, want qemu:///system", target, host)
			}
		}
	})
}
