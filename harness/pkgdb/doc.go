// Package pkgdb reads a guest's package database over a remote.Runner: which
// packages are installed (name, full version, architecture) and whether the
// database is healthy (no half-installed packages, no modified or missing
// packaged files, no broken dependencies).
//
// Two package managers are supported, chosen by Detect:
//
//   - dpkg (Debian, Ubuntu). Installed runs DpkgQueryCommand; Audit runs
//     DpkgAuditCommand (dpkg --audit). Neither needs root.
//   - rpm (Fedora, RHEL and its rebuilds, SUSE, Amazon Linux). Installed runs
//     RPMQueryCommand; Audit runs RPMDBCheckCommand (can the database be read
//     at all) and RPMVerifyCommand (rpm -Va without file digests and without
//     %verify scripts, through sudo -n because it reads root-only files).
//
// The parsers (ParseDpkgQuery, ParseRPMQuery, ParseDpkgAudit, ParseRPMVerify)
// are pure functions of the commands' output, so they are unit-tested on
// output recorded from real systems (testdata/). Every command forces
// LC_ALL=C so that the messages the parsers read are not translated.
package pkgdb
