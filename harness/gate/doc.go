// Package gate decides, per image, whether the results of imagegate's runs
// allow promotion: promote (every required result green on every required
// arch), reject (a required check failed) or inconclusive (a required
// result is missing, errored, or the reports cannot be trusted).
//
// The policy (a YAML file, loaded strictly: unknown keys and bad values are
// errors naming the file, line and key) says per image name or glob which
// arches, suites and test name patterns are required, which known failures
// are waived (until an expiry date) and how long a new check may fail
// without blocking. Evaluate applies it to reports read by
// harness/junitread and lists every blocking finding.
//
// The gate fails closed: anything it cannot establish blocks. See
// docs/gate.md for the rules.
package gate
