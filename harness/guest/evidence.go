package guest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// evidence is what is fetched from the guest before it is destroyed.
var evidence = []struct{ file, cmd string }{
	{"cloud-init.log", "cat /var/log/cloud-init.log"},
	{"cloud-init-output.log", "cat /var/log/cloud-init-output.log"},
	{"cloud-init-status.txt", "cloud-init status --long"},
	{"cloud-init-result.json", "cat /run/cloud-init/result.json"},
	{"journal.txt", "journalctl -b --no-pager -o short-monotonic"},
	// cloud-init's own bundle, without user-data (it may hold secrets).
	{"cloud-init-logs.tar.gz", "cloud-init collect-logs -t /run/imagegate-ci-logs.tgz >/dev/null 2>&1 && cat /run/imagegate-ci-logs.tgz && rm -f /run/imagegate-ci-logs.tgz"},
}

// evidenceTimeout bounds one item; a guest that stopped answering costs
// this once, not once per item.
const evidenceTimeout = 30 * time.Second

// CollectEvidence saves guest logs into the target's report folder. It goes
// on past an item that failed in the guest (the file says why), and stops
// at the first item the guest did not answer: the rest would not be
// answered either. Any gap is an error, so the report says the evidence is
// incomplete; the checks' own results stand.
func (g *Guest) CollectEvidence(ctx context.Context) error {
	if g.SSH == nil {
		return nil
	}
	var failed []string
	for i, e := range evidence {
		cctx, cancel := context.WithTimeout(ctx, evidenceTimeout)
		res, err := g.Run(cctx, Sudo(e.cmd))
		cancel()
		body := res.Stdout
		if err != nil || !res.OK() {
			failed = append(failed, e.file)
			body += fmt.Sprintf("\n(imagegate: %q failed: %v %s)\n", e.cmd, err, res.Stderr)
		}
		if werr := os.WriteFile(g.Target.Layout.Evidence(e.file), []byte(body), 0o644); werr != nil {
			return werr
		}
		if err != nil { // no answer: the guest is gone or hung
			for _, rest := range evidence[i+1:] {
				failed = append(failed, rest.file+" (not tried)")
			}
			return fmt.Errorf("evidence not fully collected, the guest stopped answering (%v): missing %s", err, strings.Join(failed, ", "))
		}
	}
	g.Timing("total-until-evidence", time.Since(g.started))
	if len(failed) > 0 {
		return fmt.Errorf("evidence not fully collected: %s", strings.Join(failed, ", "))
	}
	return nil
}
