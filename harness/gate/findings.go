package gate

import "github.com/imagegate/imagegate/harness/junitread"

// Verdict is the decision on one image.
type Verdict string

// The verdicts, and the exit codes of imagegate gate.
const (
	Promote      Verdict = "promote"
	Reject       Verdict = "reject"
	Inconclusive Verdict = "inconclusive"

	ExitPromote      = 0
	ExitReject       = 1
	ExitInconclusive = 2 // also bad input
)

// Kind says what a finding is about.
type Kind string

// Blocking kinds. Failed and WaiverExpired reject; the others make the
// decision inconclusive.
const (
	NoPolicy       Kind = "no-policy"       // no policy entry matches the image
	MissingArch    Kind = "missing-arch"    // a required arch has no results
	DigestConflict Kind = "digest-conflict" // reports of one target name different image digests
	MissingSuite   Kind = "missing-suite"   // a required suite has no result that ran
	MissingTest    Kind = "missing-test"    // a required test pattern matches no result that ran
	ErrorCase      Kind = "error"           // a required case errored: the image was not judged
	NoCatalogue    Kind = "no-catalogue"    // a report does not list its catalogue: completeness cannot be shown
	NotSelected    Kind = "not-selected"    // checks of a required suite were filtered out of the run
	NotRun         Kind = "not-run"         // checks of a required suite were selected but never ran
	Failed         Kind = "failed"          // a required check failed
	WaiverExpired  Kind = "waiver-expired"  // a required check failed and its waiver has expired
	// FlakyCheck: a required check failed, then passed on a rerun, and
	// the policy says flaky: block.
	FlakyCheck Kind = "flaky"
	// QuarantineExpired: a required check was flaky or failed, and the
	// quarantine entry that covered it has expired.
	QuarantineExpired Kind = "quarantine-expired"
	// BootSlowdown: the candidate reached SSH more than the entry's
	// max_boot_slowdown slower than the production image it was compared
	// with.
	BootSlowdown Kind = "boot-slowdown"
)

// Note kinds: reported, never blocking.
const (
	Waived      Kind = "waived"       // a required check failed under a valid waiver
	Grace       Kind = "grace"        // a required check failed within its grace period
	NotRequired Kind = "not-required" // a check outside the required set failed or errored
	ExtraArch   Kind = "extra-arch"   // results for an arch the policy does not require: not judged
	StaleWaiver Kind = "stale-waiver" // an expired waiver that no failure needed: remove or renew it
	// FlakyAllowed: a required check was flaky, and the policy says
	// flaky: allow. Quarantined: a required check was flaky or failed
	// under a valid quarantine entry. StaleQuarantine: an expired
	// quarantine entry that no result needed.
	FlakyAllowed    Kind = "flaky-allowed"
	Quarantined     Kind = "quarantined"
	StaleQuarantine Kind = "stale-quarantine"
	// StillFailingNote: under judge: regressions, a required check failed
	// and the production image fails it too.
	StillFailingNote Kind = "still-failing"
	// NotApplicableNote: a required check said it does not apply to the
	// image, and why. Allowed, and listed, unless a tests: pattern
	// requires the check to run.
	NotApplicableNote Kind = "not-applicable"
)

// Finding is one thing the gate noticed about an image.
type Finding struct {
	Kind    Kind    `json:"kind"`
	Effect  Verdict `json:"effect,omitempty"` // reject or inconclusive when blocking
	Arch    string  `json:"arch,omitempty"`
	Suite   string  `json:"suite,omitempty"`
	Test    string  `json:"test,omitempty"`
	Message string  `json:"message"`
	Tracker string  `json:"tracker,omitempty"`
	Expires string  `json:"expires,omitempty"`
	File    string  `json:"file,omitempty"` // the junit.xml the result came from
	// Checks names every check a grouped finding is about (not selected,
	// not run); Command is what runs them.
	Checks  []string `json:"checks,omitempty"`
	Command string   `json:"command,omitempty"`
}

func blocking(k Kind, arch, msg string) Finding {
	eff := Inconclusive
	if k == Failed || k == WaiverExpired || k == FlakyCheck || k == QuarantineExpired || k == BootSlowdown {
		eff = Reject
	}
	return Finding{Kind: k, Effect: eff, Arch: arch, Message: msg}
}

func about(f Finding, c junitread.Case) Finding {
	f.Suite, f.Test, f.File = c.Suite, c.Name, c.File
	return f
}

// ArchResult is what the reports hold for one arch of an image.
type ArchResult struct {
	Arch     string           `json:"arch"`
	Required bool             `json:"required"`
	Present  bool             `json:"present"`
	SHA256   string           `json:"sha256,omitempty"`
	Path     string           `json:"image_path,omitempty"`
	Runs     []string         `json:"runs,omitempty"`
	Files    []string         `json:"files,omitempty"`
	Counts   junitread.Counts `json:"counts"`
	Waived   int              `json:"waived"`
	Grace    int              `json:"grace"`
	// Flaky counts required checks that failed, then passed on a rerun
	// (quarantined ones included); Quarantined those a quarantine entry
	// kept from blocking.
	Flaky        int `json:"flaky"`
	Quarantined  int `json:"quarantined"`
	StillFailing int `json:"still_failing"` // failures production's image has too (judge: regressions)
	// ImagegateVersion and Catalogue are the imagegate that wrote the
	// (latest) report of the arch and the digest of its catalogue of
	// checks: promotion records them as the item's provenance.
	ImagegateVersion string `json:"imagegate_version,omitempty"`
	Catalogue        string `json:"catalogue_sha256,omitempty"`
	// Cases are the arch's combined results the decision was made on
	// (promotion records them in the production repo's flake history).
	Cases []junitread.Case `json:"-"`
}

// Decision is the gate's answer for one image.
type Decision struct {
	Image    string       `json:"image"`
	Verdict  Verdict      `json:"decision"`
	Policy   string       `json:"policy,omitempty"` // the entry that applied
	Arches   []ArchResult `json:"arches"`
	Blocking []Finding    `json:"blocking"`
	Notes    []Finding    `json:"notes"`
}

// verdict derives the decision from the blocking findings: a failure is a
// definite answer (reject) even if other results are missing; otherwise
// anything blocking leaves it inconclusive.
func (d *Decision) verdict() Verdict {
	v := Promote
	for _, f := range d.Blocking {
		if f.Effect == Reject {
			return Reject
		}
		v = Inconclusive
	}
	return v
}

// Arch returns the result for arch.
func (d Decision) Arch(arch string) (ArchResult, bool) {
	for _, a := range d.Arches {
		if a.Arch == arch {
			return a, true
		}
	}
	return ArchResult{}, false
}
