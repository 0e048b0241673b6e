package guest

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestEvidenceStreamRoundTrip runs the stream's script in a local shell
// (as the guest's would) and reads its tar back: every item's bytes, and
// a failed item kept with why.
func TestEvidenceStreamRoundTrip(t *testing.T) {
	items := []item{
		{"a.log", "printf 'line one\\nline two\\n'"},
		{"bin.gz", "printf '\\037\\213\\000\\377'"},
		{"gone.json", "cat /nonexistent/result.json"},
	}
	cmd := exec.Command("sh", "-c", streamScript(items, t.TempDir()))
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("script: %v\n%s", err, stderr.String())
	}
	got, err := untarEvidence(&out, items)
	if err != nil {
		t.Fatal(err)
	}
	if got["a.log"].body != "line one\nline two\n" || got["a.log"].failed {
		t.Errorf("a.log = %+v", got["a.log"])
	}
	if got["bin.gz"].body != "\x1f\x8b\x00\xff" {
		t.Errorf("binary item changed: %q", got["bin.gz"].body)
	}
	if g := got["gone.json"]; !g.failed || !strings.Contains(g.body, "No such file") || !strings.Contains(g.body, "exit status 1") {
		t.Errorf("failed item = %+v", g)
	}
	if _, err := untarEvidence(strings.NewReader("not a tar"), items); err == nil {
		t.Error("a broken stream is read as evidence")
	}
}
