package gate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/imagegate/imagegate/harness/names"
)

// entry reads one item of images:.
func (l nodes) entry(n *yaml.Node, path string) (Entry, error) {
	e := Entry{Line: deref(n).Line, Flaky: FlakyBlock, Judge: JudgeFull}
	var waiverNodes, quarantineNodes []*yaml.Node
	if err := l.mapping(n, path, l.entryFields(&e, &waiverNodes, &quarantineNodes)); err != nil {
		return e, err
	}
	if len(e.Suites)+len(e.Tests) == 0 {
		return e, l.errf(n, path, "needs suites: or tests: (what must be green)")
	}
	if err := l.waiverArches(e, e.Waivers, waiverNodes, path+".waivers"); err != nil {
		return e, err
	}
	return e, l.waiverArches(e, e.Quarantine, quarantineNodes, path+".quarantine")
}

// entryFields are the keys of an images: item, filling e.
func (l nodes) entryFields(e *Entry, waiverNodes, quarantineNodes *[]*yaml.Node) []field {
	return []field{
		{"name", true, func(n *yaml.Node, p string) error {
			s, err := l.str(n, p)
			if err == nil && !names.ValidImageGlob(s) {
				err = l.errf(n, p, "%q is not an image name or glob (lowercase letters, digits, '.', '_', '-', '*', '?')", s)
			}
			e.Name = NewPattern(s)
			return err
		}},
		{"arches", true, func(n *yaml.Node, p string) (err error) {
			e.Arches, err = l.arches(n, p)
			if err == nil && len(e.Arches) == 0 {
				err = l.errf(n, p, "must list at least one arch")
			}
			return err
		}},
		{"suites", false, func(n *yaml.Node, p string) (err error) {
			e.Suites, err = l.suites(n, p)
			return err
		}},
		{"tests", false, func(n *yaml.Node, p string) error {
			s, err := l.strs(n, p)
			for _, v := range s {
				e.Tests = append(e.Tests, NewPattern(v))
			}
			return err
		}},
		{"grace_days", false, func(n *yaml.Node, p string) (err error) {
			e.GraceDays, err = l.nonNegInt(n, p)
			return err
		}},
		{"waivers", false, func(n *yaml.Node, p string) error {
			return l.waivers(n, p, &e.Waivers, waiverNodes)
		}},
		{"flaky", false, func(n *yaml.Node, p string) (err error) {
			e.Flaky, err = l.str(n, p)
			if err == nil && e.Flaky != FlakyBlock && e.Flaky != FlakyAllow {
				err = l.errf(n, p, "%q: want %s (a check that failed, then passed on a rerun, blocks) or %s", e.Flaky, FlakyBlock, FlakyAllow)
			}
			return err
		}},
		{"quarantine", false, func(n *yaml.Node, p string) error {
			return l.waivers(n, p, &e.Quarantine, quarantineNodes)
		}},
		{"judge", false, func(n *yaml.Node, p string) (err error) {
			e.Judge, err = l.str(n, p)
			if err == nil && e.Judge != JudgeFull && e.Judge != JudgeRegressions {
				err = l.errf(n, p, "%q: want %s (every failure blocks) or %s (with --compare-to, only new failures block)", e.Judge, JudgeFull, JudgeRegressions)
			}
			return err
		}},
		{"must_pass", false, func(n *yaml.Node, p string) error {
			s, err := l.strs(n, p)
			for _, v := range s {
				e.MustPass = append(e.MustPass, NewPattern(v))
			}
			return err
		}},
		{"max_boot_slowdown", false, func(n *yaml.Node, p string) (err error) {
			e.MaxBootSlowdown, err = l.percent(n, p)
			return err
		}},
	}
}

// percent reads "25%" (or 25) as 25.
func (l nodes) percent(n *yaml.Node, path string) (float64, error) {
	s, err := l.str(n, path)
	if err != nil {
		return 0, err
	}
	v, perr := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if perr != nil || v <= 0 {
		return 0, l.errf(n, path, "%q: want a percentage above 0, e.g. 25%%", s)
	}
	return v, nil
}

// waivers reads a list of waivers (or quarantine entries) into ws, and
// their nodes for later errors into wn.
func (l nodes) waivers(n *yaml.Node, path string, ws *[]Waiver, wn *[]*yaml.Node) error {
	return l.sequence(n, path, func(item *yaml.Node, wp string) error {
		w, err := l.waiver(item, wp)
		*ws = append(*ws, w)
		*wn = append(*wn, item)
		return err
	})
}

func (l nodes) suites(n *yaml.Node, path string) ([]string, error) {
	s, err := l.strs(n, path)
	for i, v := range s {
		if err == nil && !suiteRE.MatchString(v) {
			err = l.errf(deref(n).Content[i], fmt.Sprintf("%s[%d]", path, i), "%q is not a suite name", v)
		}
	}
	return s, err
}

// waiverArches insists that a waiver (or quarantine entry) names only
// arches its entry requires: anything else is a typo that would waive
// nothing.
func (l nodes) waiverArches(e Entry, ws []Waiver, wn []*yaml.Node, path string) error {
	for i, w := range ws {
		for _, a := range w.Arches {
			if !slices.Contains(e.Arches, a) {
				return l.errf(wn[i], fmt.Sprintf("%s[%d].arches", path, i),
					"%q is not one of this entry's arches (%s)", a, strings.Join(e.Arches, ", "))
			}
		}
	}
	return nil
}

// waiver reads one item of waivers:.
func (l nodes) waiver(n *yaml.Node, path string) (Waiver, error) {
	w := Waiver{Line: deref(n).Line}
	err := l.mapping(n, path, []field{
		{"test", true, func(n *yaml.Node, p string) error {
			s, err := l.str(n, p)
			w.Test = NewPattern(s)
			return err
		}},
		{"arches", false, func(n *yaml.Node, p string) (err error) {
			w.Arches, err = l.arches(n, p)
			return err
		}},
		{"tracker", true, func(n *yaml.Node, p string) (err error) {
			w.Tracker, err = l.str(n, p)
			if err == nil && hasSpace(w.Tracker) {
				err = l.errf(n, p, "%q must be a link or an issue id, without spaces", w.Tracker)
			}
			return err
		}},
		{"expires", true, func(n *yaml.Node, p string) (err error) {
			w.Expires, w.Until, err = l.date(n, p)
			return err
		}},
		{"reason", false, func(n *yaml.Node, p string) (err error) {
			w.Reason, err = l.str(n, p)
			return err
		}},
	})
	return w, err
}
