// Package atomicfile is imagegate's one way to replace a file so that a
// reader, or a person after a crash, sees either the old complete file or
// the new one, never a torn write. Reports, summaries and seeds were each
// written by a hand-made copy of temp file, fsync and rename that differed
// in what they synced; this package is the single, fully synced version.
package atomicfile
