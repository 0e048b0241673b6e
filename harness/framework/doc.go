// Package framework is the bridge between the harness libraries and Ginkgo:
// the only library package that imports Ginkgo and Gomega.
//
// Suites register their specs with Register. For one target (an image on an
// architecture) RunTarget builds the spec tree — every spec labelled
// arch:<arch>, distro:<family> and suite:<name> — boots the guest in
// BeforeSuite (seed, overlay, domain, SSH with a verified host key), hands
// specs the Guest through G(), and on the way out collects evidence
// (console, cloud-init logs, journal) and destroys the machine, in reverse
// order of creation, also after a failure or an interrupt.
package framework
