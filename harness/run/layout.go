package run

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/fault"
	"github.com/imagegate/imagegate/harness/names"
)

// DefaultWorkRoot is where overlays, seeds, pinned copies and kept
// guests' keys go unless --work-dir says otherwise: large, not evidence,
// removed after the run. Root's is /var/tmp/imagegate; anyone else's is in
// their own cache folder (~/.cache/imagegate/work), so an ordinary user
// needs nothing of root's.
var DefaultWorkRoot = defaultWorkRoot(os.Geteuid(), os.UserCacheDir)

func defaultWorkRoot(euid int, cacheDir func() (string, error)) string {
	if euid != 0 {
		if c, err := cacheDir(); err == nil {
			return filepath.Join(c, "imagegate", "work")
		}
	}
	return "/var/tmp/imagegate"
}

// RunLayout is a run's two folders: Reports (reports/<run-id>, kept) and
// Work (<work-root>/<run-id>, removed after the run).
type RunLayout struct {
	Reports string
	Work    string
}

// JUnit is the run's merged report, read by Jenkins and the gate.
func (r RunLayout) JUnit() string { return filepath.Join(r.Reports, "junit.xml") }

// Index is the run's HTML page.
func (r RunLayout) Index() string { return filepath.Join(r.Reports, "index.html") }

// Latest is the symlink in the reports root that points at the newest run.
func (r RunLayout) Latest() string { return filepath.Join(filepath.Dir(r.Reports), "latest") }

// Target is the folders of one target of the run.
func (r RunLayout) Target(image, arch string) Layout {
	return Layout{Out: filepath.Join(r.Reports, image, arch), Work: filepath.Join(r.Work, names.Slug(image, arch))}
}

// Layout is one target's folders: Out is its report folder (evidence,
// kept), Work holds the overlay, seed and pinned copies (large, removed).
type Layout struct {
	Out  string `json:"out"`
	Work string `json:"work"`
}

// Files in a target's report folder.
const (
	ConsoleFile   = "console.log"    // the serial console
	RecordFile    = "target.json"    // every check with its fate, for tools
	RunLogFile    = "run.log"        // the child's human log
	GinkgoFile    = "ginkgo.json"    // Ginkgo's own report
	TimingsFile   = "timings.json"   // phase durations
	ResourcesFile = "resources.json" // other measures: the guest's peak memory
	EventsFile    = "events.jsonl"   // the child's progress events
	TimelineFile  = "timeline.svg"   // the events as a picture
	FloorFile     = "floor.json"     // make bench: plain QEMU's time to cloud-init done
	DomainFile    = "domain.xml"     // the machine's definition
	UserDataFile  = "user-data"      // the seed's user-data (public key only)
	MetaDataFile  = "meta-data"
	KeptDiskFile  = "disk.qcow2" // --keep-failed: the guest's disk
	// ManifestFile is the guest's package manifest: "name\tversion\tarch"
	// per installed package, sorted (promotion keeps it beside the image).
	ManifestFile = "packages.manifest"
	// KernelFile is the running kernel's release and command line (two
	// lines); ServicesFile the units enabled under /etc/systemd/system
	// (the links `systemctl enable` makes), one per line. Comparing
	// with production reads them.
	KernelFile   = "kernel.txt"
	ServicesFile = "enabled-services.txt"
	// CompareFile is what changed against the production image
	// (--compare-to); CompareDir the report folder of production's runs.
	CompareFile = "compare.json"
	CompareDir  = "compare"
	siblingDir  = "second-instance"
)

func (l Layout) Console() string   { return filepath.Join(l.Out, ConsoleFile) }
func (l Layout) Record() string    { return filepath.Join(l.Out, RecordFile) }
func (l Layout) RunLog() string    { return filepath.Join(l.Out, RunLogFile) }
func (l Layout) Ginkgo() string    { return filepath.Join(l.Out, GinkgoFile) }
func (l Layout) Timings() string   { return filepath.Join(l.Out, TimingsFile) }
func (l Layout) Resources() string { return filepath.Join(l.Out, ResourcesFile) }
func (l Layout) Events() string    { return filepath.Join(l.Out, EventsFile) }
func (l Layout) Domain() string    { return filepath.Join(l.Out, DomainFile) }
func (l Layout) UserData() string  { return filepath.Join(l.Out, UserDataFile) }
func (l Layout) MetaData() string  { return filepath.Join(l.Out, MetaDataFile) }
func (l Layout) KeptDisk() string  { return filepath.Join(l.Out, KeptDiskFile) }
func (l Layout) Manifest() string  { return filepath.Join(l.Out, ManifestFile) }
func (l Layout) Results() string   { return filepath.Join(l.Out, catalogue.ResultsFile) }
func (l Layout) Fault() string     { return filepath.Join(l.Out, fault.File) }

// Evidence is a file of guest evidence in the report folder.
func (l Layout) Evidence(name string) string { return filepath.Join(l.Out, name) }

// WorkRoot is the --work-dir the target's work folder is in
// (<work-root>/<run-id>/<image>-<arch>).
func (l Layout) WorkRoot() string { return filepath.Dir(filepath.Dir(l.Work)) }

// Input is the child's input (this Target as JSON), in the work folder.
func (l Layout) Input() string { return filepath.Join(l.Work, "run-target.json") }

// Seed is the NoCloud ISO.
func (l Layout) Seed() string { return filepath.Join(l.Work, "seed.iso") }

// PinnedDir holds the pinned copies of the image, kernel and initrd.
func (l Layout) PinnedDir() string { return filepath.Join(l.Work, "pinned") }

// Access, Key and KnownHosts are how a kept guest is reached (never in
// the reports: the key is private).
func (l Layout) Access() string     { return filepath.Join(l.Work, AccessFile) }
func (l Layout) Key() string        { return filepath.Join(l.Work, "id_ed25519") }
func (l Layout) KnownHosts() string { return filepath.Join(l.Work, "known_hosts") }

// AccessFile is a kept guest's access.json.
const AccessFile = "access.json"

// Compare is the folders of the production image a run compares the
// candidate image/arch with (--compare-to): its own report folder under
// the run's compare/, so the run's junit.xml holds only candidates.
func (r RunLayout) Compare(image, arch string) Layout {
	return Layout{Out: filepath.Join(r.Reports, CompareDir, image, arch), Work: filepath.Join(r.Work, CompareDir+"-"+names.Slug(image, arch))}
}

// CompareJUnit is the report of the production images a run compared with.
func (r RunLayout) CompareJUnit() string { return filepath.Join(r.Reports, CompareDir, "junit.xml") }

// Sibling is the layout of a target's second guest, inside its own.
func (l Layout) Sibling() Layout {
	return Layout{Out: filepath.Join(l.Out, siblingDir), Work: filepath.Join(l.Work, siblingDir)}
}

// RerunDir is the folder of a target's n-th rerun of its failed checks
// (--rerun-failed), inside the target's report and work folders.
func RerunDir(n int) string { return fmt.Sprintf("rerun-%d", n) }

// Rerun is the layout of a target's n-th rerun, inside its own.
func (l Layout) Rerun(n int) Layout {
	return Layout{Out: filepath.Join(l.Out, RerunDir(n)), Work: filepath.Join(l.Work, RerunDir(n))}
}

// Internal reports whether a file of the report folder is the harness's
// own bookkeeping rather than evidence a person attaches.
func Internal(name string) bool {
	switch name {
	case RecordFile, GinkgoFile, EventsFile, catalogue.ResultsFile:
		return true
	}
	return false
}
