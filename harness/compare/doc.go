// Package compare judges a candidate against the production image it
// would replace, both run in the same run under the same host,
// accelerator and suites (imagegate run --compare-to): which checks newly
// fail, still fail (production's image fails them too), are fixed or are
// unchanged, and what changed between the two images — packages, kernel
// and its command line, cloud-init, enabled services and the timings of
// the boot — written as the target's compare.json.
//
// Why in the run and not from an old report: the production image's
// results must come from the same imagegate, checks, host and accelerator
// as the candidate's, or a difference may be the harness's and not the
// image's. The package needs no VM: it reads the two targets' results and
// report folders.
package compare
