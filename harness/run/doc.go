// Package run is the contract between the orchestrator and the process
// that tests one target: what image, on what machine, with what options,
// and where everything it writes goes (Layout). It is plain data, written
// as JSON by the parent and read by the child, and it knows nothing of
// Ginkgo, libvirt or SSH, so the runner, the framework and the reports can
// all speak it without depending on one another.
//
// Why one Layout: a file name under reports/<run>/<image>/<arch>/ that is
// spelled in two packages drifts; every path the harness writes or reads
// is a method here, and a new file is added in one place.
package run
