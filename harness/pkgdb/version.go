package pkgdb

import (
	"strconv"
	"strings"
	"unicode"
)

// Compare orders two versions the way manager ("dpkg" or "rpm") does:
// negative when a < b, zero when equal, positive when a > b.
func Compare(manager, a, b string) int {
	if manager == "rpm" {
		return compareRPM(a, b)
	}
	return compareDebian(a, b)
}

// Satisfies reports whether version v meets "op want" (= >= <= >> <<).
func Satisfies(manager, v, op, want string) bool {
	c := Compare(manager, v, want)
	switch op {
	case "", "=":
		return op == "" || c == 0
	case ">=":
		return c >= 0
	case "<=":
		return c <= 0
	case ">>":
		return c > 0
	case "<<":
		return c < 0
	}
	return false
}

// splitEpoch returns epoch (0 when absent) and the rest.
func splitEpoch(v string) (int, string) {
	if i := strings.IndexByte(v, ':'); i > 0 {
		if e, err := strconv.Atoi(v[:i]); err == nil {
			return e, v[i+1:]
		}
	}
	return 0, v
}

// compareDebian is dpkg's algorithm: epoch, then upstream and revision,
// each compared as alternating non-digit runs (where ~ sorts before
// everything, even the end, and letters before other characters) and
// numeric runs.
func compareDebian(a, b string) int { return compareEVR(a, b, debianPart) }

// compareEVR compares epoch:version-release strings: epochs as numbers,
// then version and release with part, the package manager's own rule.
func compareEVR(a, b string, part func(x, y string) int) int {
	ea, ra := splitEpoch(a)
	eb, rb := splitEpoch(b)
	if ea != eb {
		return ea - eb
	}
	va, rela := splitRevision(ra)
	vb, relb := splitRevision(rb)
	if c := part(va, vb); c != 0 {
		return c
	}
	return part(rela, relb)
}

func splitRevision(v string) (string, string) {
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		return v[:i], v[i+1:]
	}
	return v, ""
}

func debianOrder(c byte, ok bool) int {
	switch {
	case !ok:
		return 0
	case c == '~':
		return -1
	case unicode.IsLetter(rune(c)):
		return int(c)
	default:
		return int(c) + 256
	}
}

func debianPart(a, b string) int {
	for a != "" || b != "" {
		// non-digit prefix
		for (a != "" && !isDigit(a[0])) || (b != "" && !isDigit(b[0])) {
			ca := debianOrder(first(a))
			cb := debianOrder(first(b))
			if ca != cb {
				return ca - cb
			}
			a, b = rest(a), rest(b)
		}
		var na, nb string
		na, a = digits(a)
		nb, b = digits(b)
		if c := compareNumeric(na, nb); c != 0 {
			return c
		}
	}
	return 0
}

// compareRPM is rpmvercmp over epoch:version-release: alphanumeric
// segments, numeric beats alphabetic, ~ sorts first, longer wins.
func compareRPM(a, b string) int { return compareEVR(a, b, rpmvercmp) }

func rpmvercmp(a, b string) int {
	for {
		a = strings.TrimLeftFunc(a, func(r rune) bool { return !isAlnum(r) && r != '~' })
		b = strings.TrimLeftFunc(b, func(r rune) bool { return !isAlnum(r) && r != '~' })
		if strings.HasPrefix(a, "~") || strings.HasPrefix(b, "~") {
			if !strings.HasPrefix(a, "~") {
				return 1
			}
			if !strings.HasPrefix(b, "~") {
				return -1
			}
			a, b = a[1:], b[1:]
			continue
		}
		if a == "" || b == "" {
			return len(a) - len(b)
		}
		var sa, sb string
		numeric := isDigit(a[0])
		if numeric {
			sa, a = digits(a)
			sb, b = digits(b)
			if sb == "" {
				return 1 // numeric segment beats alphabetic
			}
			if c := compareNumeric(sa, sb); c != 0 {
				return c
			}
			continue
		}
		sa, a = letters(a)
		sb, b = letters(b)
		if sb == "" {
			return -1
		}
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(r rune) bool { return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }
func first(s string) (byte, bool) {
	if s == "" {
		return 0, false
	}
	return s[0], true
}
func rest(s string) string {
	if s == "" {
		return s
	}
	return s[1:]
}

func digits(s string) (string, string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

func letters(s string) (string, string) {
	i := 0
	for i < len(s) && s[i] < 128 && unicode.IsLetter(rune(s[i])) {
		i++
	}
	return s[:i], s[i:]
}

func compareNumeric(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
