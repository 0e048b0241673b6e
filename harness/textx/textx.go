package textx

import "strings"

// FirstLine returns the first line of s that is not blank (empty or only
// white space), with its leading and trailing white space removed; "" if
// every line is blank. Lines end at '\n'; a '\r' before it counts as white
// space.
func FirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// LastLine returns the last line of s that is not blank, with its leading
// and trailing white space removed; "" if every line is blank. It is the
// line to quote from a failed command's output, where the reason usually
// comes last.
func LastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}

// Clip returns s unchanged if it has at most n runes (characters), else
// its first n runes followed by "...". It never cuts a multi-byte
// character in two.
func Clip(s string, n int) string {
	count := 0
	for i := range s {
		if count == n {
			return s[:i] + "..."
		}
		count++
	}
	return s
}
