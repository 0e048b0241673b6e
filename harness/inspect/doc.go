// Package inspect reads files out of a disk image as it was shipped,
// without booting or mounting it: the image is converted to a raw sparse
// copy, the partition holding /etc/os-release is found, and debugfs reads
// from it. It answers "does the image itself ship a machine-id, host keys,
// shell history..." and, with ReadFiles (one debugfs run streaming many
// files), "do the packaged files match their md5sums". Only ext2/3/4 roots
// can be read; others give ErrUnsupported.
package inspect
