package report

import "github.com/imagegate/imagegate/harness/catalogue"

// JUnit property names of a target's testsuite. The runner writes them,
// junitread reads them back and the gate judges by them: all three use
// these names, never the strings. A new field is added here (see
// docs/architecture.md, "Add a report field").
const (
	PropImage       = "image"
	PropArch        = "arch"
	PropAccel       = "accel" // kvm or tcg
	PropImageSHA256 = "image.sha256"
	PropImagePath   = "image.path" // the candidate as the matrix names it
	PropRunID       = "run-id"
	// PropHost is the hypervisor that ran the target: its libvirt URI
	// without the query (key and known_hosts paths are the runner's own).
	PropHost          = "host"
	PropProfile       = "profile"        // where the profile came from
	PropProfileSHA256 = "profile.sha256" // the profile's bytes
	PropRetried       = "retried"        // earlier attempts that were not judged, and why
	PropMergedRuns    = "merged.runs"    // the runs a merged report came from
	// PropReruns says what --rerun-failed ran again; PropFlaky names the
	// checks that failed, then passed on a rerun (" | " between them).
	PropReruns = "reruns"
	PropFlaky  = "flaky"
	// The production image a target was compared with (--compare-to):
	// its version and sha256, the checks' counts by compare status, and
	// its boot-to-SSH time, beside the target's own boot-to-ssh-seconds.
	PropCompareVersion   = "compare.version"
	PropCompareSHA256    = "compare.sha256"
	PropCompareChecks    = "compare.checks"
	PropCompareBootToSSH = "compare.boot-to-ssh-seconds"
	PropBootToSSH        = "boot-to-ssh-seconds"
	// PropSuiteDirs names the external suites the target loaded, "; "
	// between them: "<name> <folder> sha256:<digest of its files>".
	PropSuiteDirs = "suite-dirs"

	// The catalogue's, named by the catalogue package.
	PropCatalogue = catalogue.PropDigest
	PropSpecs     = catalogue.PropSpecs
	PropSelection = catalogue.PropSelection
	PropVersion   = catalogue.PropVersion
	PropRerun     = catalogue.PropRerun
)
