// Package matrix loads the list of images to test (fixtures/matrix.yaml by
// default): for each image its path, format, architecture, distro family,
// firmware and checksum file. Unknown keys and bad values are rejected with
// the file and line named. Paths may use ${VAR} and ~; IMAGEGATE_FIXTURES
// defaults to ~/.cache/imagegate/fixtures.
package matrix
