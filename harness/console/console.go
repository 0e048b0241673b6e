package console

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"
)

const (
	beginFP = "-----BEGIN SSH HOST KEY FINGERPRINTS-----"
	endFP   = "-----END SSH HOST KEY FINGERPRINTS-----"
)

var fpRE = regexp.MustCompile(`SHA256:[A-Za-z0-9+/]{43}`)

// Fingerprints returns the SHA256 host key fingerprints from the last
// complete block cloud-init printed, or nil when none is complete yet.
// A block from an earlier boot is superseded by a later one.
func Fingerprints(log []byte) []string {
	end := bytes.LastIndex(log, []byte(endFP))
	if end < 0 {
		return nil
	}
	begin := bytes.LastIndex(log[:end], []byte(beginFP))
	if begin < 0 {
		return nil
	}
	return fpRE.FindAllString(string(log[begin:end]), -1)
}

// Finding is one sign of trouble on the console.
type Finding struct {
	Kind string // panic, oops, call-trace, emergency, failed-unit
	Line string
}

// The kernel's own oops lines; a user-space "traps: ... general
// protection fault ip:..." is not one (it has no [#n] oops counter).
var (
	panicRE     = regexp.MustCompile(`Kernel panic - not syncing`)
	oopsRE      = regexp.MustCompile(`\bOops: |BUG: unable to handle|BUG: kernel NULL pointer dereference|general protection fault.*\[#\d+\]`)
	emergencyRE = regexp.MustCompile(`You are in emergency mode|Entering emergency mode|You are in rescue mode|Give root password for maintenance|dracut-emergency|Entering emergency shell`)
	initramfsRE = regexp.MustCompile(`\(initramfs\) ?$|Dropping to a shell!|dracut:/#\s*$`)
)

var patterns = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"panic", panicRE},
	{"oops", oopsRE},
	{"call-trace", regexp.MustCompile(`^\s*(\[[ 0-9.]+\]\s*)?Call Trace:`)},
	{"emergency", emergencyRE},
	{"emergency", initramfsRE},
	{"failed-unit", regexp.MustCompile(`\[FAILED\] Failed to start`)},
}

// Scan lists every line of the log that shows a panic, an oops, a call
// trace, an emergency shell or a failed systemd unit.
func Scan(log []byte) []Finding {
	var out []Finding
	for _, line := range strings.Split(Clean(log), "\n") {
		for _, p := range patterns {
			if p.re.MatchString(line) {
				out = append(out, Finding{Kind: p.kind, Line: strings.TrimSpace(line)})
				break
			}
		}
	}
	return out
}

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>c]`)

// Clean turns raw console bytes into readable text: escape sequences and
// carriage returns dropped, invalid UTF-8 and control bytes replaced.
func Clean(b []byte) string {
	s := ansiRE.ReplaceAllString(string(b), "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out strings.Builder
	out.Grow(len(s))
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch {
		case r == utf8.RuneError && size == 1:
			out.WriteRune('\uFFFD')
		case r == '\n' || r == '\t':
			out.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			// other control bytes (\r alone, bells, NULs) carry no text
		default:
			out.WriteRune(r)
		}
	}
	return out.String()
}

// Tail returns the last n lines of the cleaned log.
func Tail(log []byte, n int) string {
	lines := strings.Split(strings.TrimRight(Clean(log), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TailFile is Tail on a file; a missing file gives a note, not an error.
func TailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no console log: " + err.Error() + ")"
	}
	return Tail(b, n)
}
