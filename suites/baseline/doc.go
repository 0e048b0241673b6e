// Package baseline is the first conformance suite: what every official
// cloud image must do on first boot with a NoCloud seed. It reads as a
// checklist; the machinery lives in harness/framework.
package baseline
