package textx

import "testing"

func TestFirstLine(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		" \n\t\n":             "",
		"one":                 "one",
		"one\ntwo":            "one",
		"\n\n  one  \ntwo\n":  "one",
		"one\r\ntwo\r\n":      "one",
		"  \n two three \n  ": "two three",
	} {
		if got := FirstLine(in); got != want {
			t.Errorf("FirstLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLastLine(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		" \n\t\n":                  "",
		"one":                      "one",
		"one\ntwo":                 "two",
		"one\n  two  \n\n \n":      "two",
		"one\r\ntwo\r\n":           "two",
		"gpgv: a\ngpgv: BAD sig\n": "gpgv: BAD sig",
	} {
		if got := LastLine(in); got != want {
			t.Errorf("LastLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc..."},
		{"abcd", 0, "..."},
		{"héllo", 2, "hé..."},
		{"héllo", 5, "héllo"},
		{"日本語です", 3, "日本語..."},
	} {
		if got := Clip(c.in, c.n); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
