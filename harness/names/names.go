package names

import (
	"regexp"
	"strings"
)

var (
	imageRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	// imageGlobRE is imageRE with '*' and '?' allowed at any place.
	imageGlobRE = regexp.MustCompile(`^[a-z0-9*?][a-z0-9._*?-]*$`)
	archRE      = regexp.MustCompile(`^[a-z0-9_]+$`)
)

// ValidImage reports whether s is an image name: lowercase letters,
// digits, '.', '_' and '-', starting with a letter or a digit.
func ValidImage(s string) bool { return imageRE.MatchString(s) }

// ValidImageGlob reports whether s is an image name or a glob of one: an
// image name in which '*' and '?' may also stand at any place (the first
// included).
func ValidImageGlob(s string) bool { return imageGlobRE.MatchString(s) }

// ValidArch reports whether s looks like an arch name (lowercase letters,
// digits and '_', as x86_64, aarch64): the shape only, whether or not
// harness/arch knows the arch.
func ValidArch(s string) bool { return archRE.MatchString(s) }

// ID is a target's name in reports and on the command line: <image>/<arch>.
func ID(image, arch string) string { return image + "/" + arch }

// Slug is a target's name in file and machine names: <image>-<arch>.
func Slug(image, arch string) string { return image + "-" + arch }

// SplitID is the image and arch of an ID; ok is false when id has no "/".
func SplitID(id string) (image, arch string, ok bool) { return strings.Cut(id, "/") }
