// Package digest hashes files and pins them: a pinned file is a private,
// read-only copy whose digest is taken from the copy itself, so what a run
// boots and inspects is exactly what its report names, even if the original
// is replaced or rewritten while the run goes on.
package digest
