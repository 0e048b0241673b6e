// Package guest is a target's guest through its life, without Ginkgo: pin
// the image, write the seed, start the machine, wait for SSH with a host
// key announced on the console, watch the console and the machine for a
// death that decides who is at fault, settle cloud-init, reboot, boot a
// sibling, collect evidence, keep or destroy. Every resource is handed to
// the caller's Cleanup right after it is made.
//
// Why apart from the framework: the same life serves the Ginkgo bridge
// (framework), `imagegate spawn` for a person, and tests that drive a guest
// directly; none of them should need Ginkgo to boot one.
package guest
