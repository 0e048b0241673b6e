package report

import (
	"os"
	"os/exec"
	"path/filepath"
)

// Invocation is how a command line printed for people (a reproducer, the
// ssh line of a kept guest) names the imagegate binary self: plain
// "imagegate" when that is what PATH finds, else self's path, quoted, so
// the line works as written from any folder.
func Invocation(self string) string {
	if self == "" {
		return "imagegate"
	}
	if onPath, err := exec.LookPath("imagegate"); err == nil && sameFile(onPath, self) {
		return "imagegate"
	}
	if abs, err := filepath.Abs(self); err == nil {
		self = abs
	}
	return ShellQuote(self)
}

func sameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}
