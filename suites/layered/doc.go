// Package layered is an example of a SIG suite: content layered on top of
// the base image. It installs a payload shipped beside it (payload/) onto
// the booted image, runs it as a systemd service, and checks it keeps
// running across a reboot. Copy it to start a suite of your own; see
// docs/writing-suites.md.
package layered
