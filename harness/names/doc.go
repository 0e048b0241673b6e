// Package names holds imagegate's one definition of an image name, an arch
// name and a target's ID. The matrix, the gate policy and promotion each
// used to carry its own copy of the same patterns, and the reports their
// own "image/arch"; a name accepted in one place must be accepted, and
// spelt, the same everywhere else.
package names
