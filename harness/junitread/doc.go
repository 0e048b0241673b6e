// Package junitread reads the JUnit reports that imagegate writes back into
// results per target, and combines several reports (runs, shards, re-runs)
// into one.
//
// A report is a junit.xml with one <testsuite> per target named
// <image>/<arch>, carrying the properties image, arch and image.sha256 (and
// usually accel, image.path, run-id), and one <testcase> per check with the
// classname <image>/<arch>.<suite> (or just <image>/<arch> for the harness's
// own cases: boot, cleanup and the "run" error of a target that produced no
// results).
//
// Reading fails closed: a missing junit.xml, malformed or truncated XML, a
// testsuite without the properties that identify the image, or counts that
// disagree with the cases are all errors that name the file, so a gate
// built on this package never judges from half a report.
//
// Combining keeps every test of every report of a target; when the same
// test case appears more than once, the later run wins. "Later" is the
// larger run-id (imagegate's run ids sort by start time), then the report
// given later. Reports of one target that record different image digests
// are a Conflict: their results are about different images.
package junitread
