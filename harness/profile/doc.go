// Package profile loads a distro family's image profile
// (fixtures/profiles/<family>.yaml): the declarative part of a cloud SIG's
// baseline spec — required and forbidden packages, services, sshd policy,
// locked accounts, package repositories, kernel command line, security
// mode, filesystem expectations. Suites check a guest against it. Unknown
// keys and bad values are rejected with the file, line and key named.
package profile
