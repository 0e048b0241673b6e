package console

import (
	"regexp"
	"strings"
)

// Sign is what one console line says about the guest's state, for the
// watcher that ends a boot early when the outcome is already clear.
type Sign int

const (
	NoSign      Sign = iota
	KernelStart      // "Linux version ...": a kernel began to boot
	SystemUp         // a login prompt, or cloud-init's final message: user space is up
	Panic            // the kernel panicked
	Oops             // the kernel oopsed
	Emergency        // systemd's emergency or rescue shell
	Initramfs        // the initramfs (or dracut) dropped to a shell: no root to switch to
)

func (s Sign) String() string {
	return [...]string{"none", "kernel-start", "system-up", "panic", "oops", "emergency", "initramfs"}[s]
}

var (
	kernelStartRE = regexp.MustCompile(`^\s*(\[[ 0-9.]+\]\s*)?Linux version \d`)
	systemUpRE    = regexp.MustCompile(`^\S+ login: ?$|Cloud-init v\. \S+ finished at`)
)

// Classify reads one cleaned console line. Prompts have no newline after
// them, so the caller also passes the unfinished last line.
func Classify(line string) Sign {
	line = strings.TrimRight(line, "\r")
	switch {
	case panicRE.MatchString(line):
		return Panic
	case oopsRE.MatchString(line):
		return Oops
	case initramfsRE.MatchString(line):
		return Initramfs
	case emergencyRE.MatchString(line):
		return Emergency
	case kernelStartRE.MatchString(line):
		return KernelStart
	case systemUpRE.MatchString(line):
		return SystemUp
	}
	return NoSign
}
