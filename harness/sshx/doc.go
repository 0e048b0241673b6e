// Package sshx connects to a guest over SSH (golang.org/x/crypto/ssh) and
// runs commands in it. The host key is verified against fingerprints the
// caller learned out of band (cloud-init prints them on the serial
// console); there is no trust-on-first-use. One connection per guest, one
// session per command, each command under its own context.
package sshx
