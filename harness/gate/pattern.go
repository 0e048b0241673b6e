package gate

import (
	"regexp"
	"strings"

	"github.com/imagegate/imagegate/harness/junitread"
)

// Pattern is a glob: '*' matches any run of characters (spaces and '/'
// too), '?' one character, everything else itself, case-sensitively.
type Pattern struct {
	Text string
	re   *regexp.Regexp
}

// NewPattern compiles a glob.
func NewPattern(glob string) Pattern {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	return Pattern{Text: glob, re: regexp.MustCompile(b.String())}
}

// Match reports whether s matches the glob.
func (p Pattern) Match(s string) bool { return p.re != nil && p.re.MatchString(s) }

// MatchCase reports whether the glob matches a test case: its name
// ("ssh refuses password authentication") or its full name, prefixed by
// its suite ("baseline ssh refuses password authentication").
func (p Pattern) MatchCase(c junitread.Case) bool { return p.Match(c.Name) || p.Match(c.FullName()) }

// IsGlob reports whether s has glob characters.
func IsGlob(s string) bool { return strings.ContainsAny(s, "*?") }
