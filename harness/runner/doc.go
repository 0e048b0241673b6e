// Package runner orchestrates a run: it plans the targets from the matrix
// (checking images, checksums, emulators, firmware and libvirtd before
// anything boots), runs each target in a child process of the imagegate
// binary (Ginkgo runs one suite per process), shows progress, rewrites
// reports/<run-id>/junit.xml after every target, and on failure or
// Ctrl-C/SIGTERM stops the children and sweeps up any domain or work file
// of the run.
package runner
