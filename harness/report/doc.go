// Package report turns the results of a run into the JUnit XML that Jenkins
// reads: one <testsuite> per target named <image>/<arch>, with properties
// (image, arch, accel, image.sha256, timings), one <testcase> per spec, and
// the console tail in the output of every failed case. The XML is always
// well-formed and valid against the Jenkins xUnit JUnit schema, whatever
// bytes the guest printed, and it is written atomically so a reader never
// sees half a file.
package report
