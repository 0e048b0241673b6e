package baseline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/imagegate/imagegate/harness/framework"
	"github.com/imagegate/imagegate/harness/pkgdb"
)

// What cloud-init says of itself, asked as seldom as possible: under
// emulation every start of its Python costs seconds of guest CPU. The
// status is the one the harness's wait for cloud-init printed at the
// guest's last boot (framework.G().CloudInitStatus).

// statusJSON is what `cloud-init status --format json` says.
type statusJSON struct {
	Status string   `json:"status"`
	Errors []string `json:"errors"`
	// RecoverableErrors is absent before cloud-init 23.4.
	RecoverableErrors json.RawMessage `json:"recoverable_errors"`
}

// settled is cloud-init's status at the guest's last boot: parsed when
// cloud-init has JSON status (else nil), and its status word. Output that
// cannot be read is an error of the check.
func settled() (*statusJSON, string, string) {
	GinkgoHelper()
	st, ok := framework.G().CloudInitStatus()
	if !ok { // only a guest that failed to settle, whose checks do not run
		framework.CouldNotCheck("the harness has no cloud-init status from the guest's last boot")
	}
	js, word, err := parseStatus(st.Result.Stdout, st.JSON)
	if err != nil {
		framework.CouldNotCheck("%s: %v:\n%s", st.Result.Command, err, st.Result)
	}
	return js, word, st.Result.Stdout
}

// statusLine is the status in `cloud-init status --long` text.
var statusLine = regexp.MustCompile(`(?m)^status: (.*)$`)

// parseStatus reads what `cloud-init status --wait` printed: JSON (after
// any progress dots) or, from a cloud-init without JSON status, --long
// text (js is then nil). word is the status ("done", "error", ...).
func parseStatus(out string, isJSON bool) (js *statusJSON, word string, err error) {
	if isJSON {
		js = &statusJSON{}
		if err := json.Unmarshal([]byte(out[max(strings.Index(out, "{"), 0):]), js); err != nil {
			return nil, "", fmt.Errorf("not JSON (%v)", err)
		}
		if js.Status == "" {
			return nil, "", errors.New("no status in the JSON")
		}
		return js, js.Status, nil
	}
	m := statusLine.FindStringSubmatch(out)
	if m == nil {
		return nil, "", errors.New("no status line")
	}
	return nil, strings.TrimSpace(m[1]), nil
}

// cloudInitVersion is the installed cloud-init's version: its package's,
// from the guest's package facts (listed once per guest), or what
// `cloud-init --version` prints when no package lists it.
func cloudInitVersion(ctx context.Context) string {
	GinkgoHelper()
	if _, installed, err := framework.G().Packages(ctx); err == nil {
		if p, ok := pkgdb.Find(installed, "cloud-init"); ok {
			return p.Version
		}
	}
	return firstWord(strings.TrimPrefix(strings.TrimSpace(query(ctx, "cloud-init --version 2>&1")), "/usr/bin/cloud-init "))
}
