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

var patterns = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"panic", regexp.MustCompile(`Kernel panic - not syncing`)},
	{"oops", regexp.MustCompile(`\bOops: |BUG: unable to handle|general protection fault`)},
	{"call-trace", regexp.MustCompile(`^\s*(\[[ 0-9.]+\]\s*)?Call Trace:`)},
	{"emergency", regexp.MustCompile(`You are in emergency mode|Entering emergency mode|Give root password for maintenance|dracut-emergency|Dropping to a shell!|\(initramfs\) $`)},
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
