// Package console reads a guest's serial console log: the SSH host key
// fingerprints cloud-init prints there (the trust anchor for SSH), the
// signs of a broken boot (panic, oops, emergency shell), and its tail for
// failure messages.
package console
