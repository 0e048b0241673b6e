// Package pkgdb reads a guest's package database over a remote.Runner: which
// packages are installed (name, full version, architecture) and whether the
// database is healthy (no half-installed packages, no modified or missing
// packaged files, no broken dependencies).
//
// Two package managers are supported, chosen by Detect:
//
//   - dpkg (Debian, Ubuntu). Installed runs DpkgQueryCommand; Audit runs
//     DpkgAuditCommand (dpkg --audit) and DpkgVerifyCommand (dpkg --verify,
//     through sudo -n).
//   - rpm (Fedora, RHEL and its rebuilds, SUSE, Amazon Linux). Installed runs
//     RPMQueryCommand; Audit runs RPMDBCheckCommand (can the database be read
//     at all) and RPMVerifyCommand (rpm -Va without file digests and without
//     %verify scripts, through sudo -n because it reads root-only files).
//
// AuditShipped is Audit with dpkg's md5 check moved to the host: the
// candidate image as shipped is read without booting it (Shipped, which
// inspect.Image implements) and every file a package's md5sums lists is
// hashed there. Why: under TCG, dpkg --verify was the slowest quick check
// (15-35 s of one emulated vCPU) and pulled ~290 MiB of files into the
// guest's page cache, a third of a guest's memory. What it gives up: a
// packaged file changed by the first boot is not seen, since the image as
// shipped is what is read (the image is what gets promoted). What it keeps:
// a finding is always dpkg's own, because anything the host finds, or any
// image it cannot read (a root that is not ext2/3/4), sends the check to
// dpkg --verify in the guest.
//
// The parsers (ParseDpkgQuery, ParseRPMQuery, ParseDpkgAudit, ParseRPMVerify)
// are pure functions of the commands' output, so they are unit-tested on
// output recorded from real systems (testdata/). Every command forces
// LC_ALL=C so that the messages the parsers read are not translated.
package pkgdb
