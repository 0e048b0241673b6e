package guest

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"

	"github.com/imagegate/imagegate/harness/atomicfile"
	"github.com/imagegate/imagegate/harness/names"
	"github.com/imagegate/imagegate/harness/run"
)

// Access is how to reach a guest that was kept running (--keep, spawn):
// written as access.json beside its key in the run's work dir.
type Access struct {
	Target     string `json:"target"` // <image>/<arch>
	Domain     string `json:"domain"`
	Addr       string `json:"addr"` // 127.0.0.1:port
	User       string `json:"user"`
	Key        string `json:"key"`         // private key file, 0600
	KnownHosts string `json:"known_hosts"` // the host key verified at boot
}

func (a Access) write(path string) error {
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o600)
}

// SSHArgs is the ssh(1) command line, host key checking on.
func (a Access) SSHArgs() []string {
	host, port, _ := net.SplitHostPort(a.Addr)
	return []string{"ssh", "-i", a.Key, "-o", "UserKnownHostsFile=" + a.KnownHosts, "-o", "StrictHostKeyChecking=yes",
		"-o", "IdentitiesOnly=yes", "-p", port, a.User + "@" + host}
}

// FindAccess returns the newest kept guest of target (<image>/<arch>) under
// workRoot (<work-root>/<run-id>/<image>-<arch>/access.json).
func FindAccess(workRoot, target string) (Access, error) {
	var a Access
	image, arch, _ := names.SplitID(target)
	slug := names.Slug(image, arch)
	matches, _ := filepath.Glob(filepath.Join(workRoot, "*", slug, run.AccessFile))
	if len(matches) == 0 {
		return a, fmt.Errorf("no kept guest of %s under %s: start one with `imagegate spawn --image IMAGE --arch ARCH` or `imagegate run --keep`", target, workRoot)
	}
	sort.Strings(matches) // run ids sort by time
	b, err := os.ReadFile(matches[len(matches)-1])
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, fmt.Errorf("%s: %w", matches[len(matches)-1], err)
	}
	return a, nil
}
