package junitread

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/report"
)

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// toTarget checks one testsuite and turns it into a Target.
func toTarget(file string, s xmlSuite) (Target, error) {
	if len(s.Nested) > 0 {
		return Target{}, errors.New("nested <testsuite> elements are not imagegate's format")
	}
	t := Target{File: file, Files: []string{file}, Timestamp: s.Timestamp}
	for _, p := range s.Properties {
		t.Properties = append(t.Properties, Property{p.Name, p.Value})
	}
	if err := t.identify(s.Name); err != nil {
		return t, err
	}
	for _, xc := range s.Cases {
		c, err := toCase(t, xc)
		if err != nil {
			return t, err
		}
		t.Cases = append(t.Cases, c)
	}
	if err := checkCounts(s, t.Cases); err != nil {
		return t, err
	}
	return t, t.checkCatalogue()
}

// checkCatalogue insists that a report which names its catalogue lists
// exactly its checks: one case each, no more, no fewer. A report cut or
// edited to hide checks fails here.
func (t *Target) checkCatalogue() error {
	if t.Catalogue == "" {
		return nil
	}
	if !sha256RE.MatchString(t.Catalogue) {
		return fmt.Errorf("%s property %q is not a sha256 digest", catalogue.PropDigest, t.Catalogue)
	}
	keys, err := t.checkKeys()
	if err != nil {
		return err
	}
	if got := catalogue.DigestKeys(keys); got != t.Catalogue {
		return fmt.Errorf("its %d checks do not make up its catalogue (%s %.12s, the cases give %.12s): the report was cut or edited", len(keys), catalogue.PropDigest, t.Catalogue, got)
	}
	return nil
}

// checkKeys lists the checks (not the harness's steps) the target has,
// each once.
func (t *Target) checkKeys() ([]string, error) {
	var keys []string
	seen := map[string]bool{}
	for _, c := range t.Cases {
		if c.Harness() {
			continue
		}
		if seen[c.CheckKey()] {
			return nil, fmt.Errorf("check %q appears twice", c.FullName())
		}
		seen[c.CheckKey()] = true
		keys = append(keys, c.CheckKey())
	}
	return keys, nil
}

// identify fills the identity fields from the properties and checks them
// against the testsuite's name.
func (t *Target) identify(name string) error {
	vals := map[string]string{}
	for _, key := range []string{report.PropImage, report.PropArch, report.PropImageSHA256, report.PropImagePath, report.PropRunID, report.PropMergedRuns,
		report.PropCatalogue, report.PropRerun, report.PropSelection} {
		for _, p := range t.Properties {
			if p.Name != key {
				continue
			}
			if v, dup := vals[key]; dup && v != p.Value {
				return fmt.Errorf("property %s given twice with different values (%q, %q)", key, v, p.Value)
			}
			vals[key] = p.Value
		}
	}
	t.Image, t.Arch, t.SHA256 = vals[report.PropImage], vals[report.PropArch], vals[report.PropImageSHA256]
	t.ImagePath, t.RunID = vals[report.PropImagePath], vals[report.PropRunID]
	t.Catalogue, t.Rerun, t.Selection = vals[report.PropCatalogue], vals[report.PropRerun], vals[report.PropSelection]
	switch {
	case t.Image == "" || t.Arch == "":
		return errors.New("missing the image or arch property")
	case !sha256RE.MatchString(t.SHA256):
		return fmt.Errorf("image.sha256 property %q is not a sha256 digest", t.SHA256)
	case name != t.ID():
		return fmt.Errorf("named %q but its properties say %s", name, t.ID())
	}
	t.Runs = splitList(vals[report.PropMergedRuns])
	if len(t.Runs) == 0 && t.RunID != "" {
		t.Runs = []string{t.RunID}
	}
	t.Started = startTime(t.Timestamp, t.RunID)
	return nil
}

func toCase(t Target, xc xmlCase) (Case, error) {
	c := Case{Name: xc.Name, Classname: xc.Classname, Time: xc.Time, RunID: t.RunID, File: t.File,
		SystemOut: strings.Join(xc.SystemOut, "\n"), SystemErr: strings.Join(xc.SystemErr, "\n")}
	switch {
	case xc.Name == "":
		return c, fmt.Errorf("a testcase has no name (classname %q)", xc.Classname)
	case xc.Classname == t.ID():
	case strings.HasPrefix(xc.Classname, t.ID()+".") && len(xc.Classname) > len(t.ID())+1:
		c.Suite = xc.Classname[len(t.ID())+1:]
	default:
		return c, fmt.Errorf("testcase %q has classname %q, not %s.<suite>", xc.Name, xc.Classname, t.ID())
	}
	c.Status = Passed
	res := (*xmlResult)(nil)
	switch {
	case xc.Failure != nil: // a check found the image wrong: that outranks the rest
		c.Status, res = Failed, xc.Failure
	case xc.Error != nil:
		c.Status, res = Error, xc.Error
	case xc.Skipped != nil:
		c.Status, res = skipStatus(xc.Skipped.Type), xc.Skipped
	}
	if res != nil {
		c.Message, c.Type, c.Detail = res.Message, res.Type, res.Data
	}
	c.Flaky = c.Status == Passed && strings.HasPrefix(strings.TrimSpace(c.SystemOut), report.FlakyMarker)
	c.Compare = report.CompareStatus(c.SystemOut)
	return c, nil
}

func skipStatus(kind string) Status {
	for _, k := range catalogue.SkipKinds {
		if kind == k {
			return Status(k)
		}
	}
	return Skipped
}

// checkCounts insists that the testsuite's counts match its cases: a
// mismatch means the file was edited or damaged.
func checkCounts(s xmlSuite, cases []Case) error {
	var fails, errs int
	for _, c := range s.Cases {
		if c.Failure != nil {
			fails++
		}
		if c.Error != nil {
			errs++
		}
	}
	for _, chk := range []struct {
		attr, val string
		want      int
	}{{"tests", s.Tests, len(cases)}, {"failures", s.Failures, fails}, {"errors", s.Errors, errs}} {
		n, err := strconv.Atoi(strings.TrimSpace(chk.val))
		if err != nil {
			return fmt.Errorf("%s=%q is not a number", chk.attr, chk.val)
		}
		if n != chk.want {
			return fmt.Errorf("%s=%d but it holds %d", chk.attr, n, chk.want)
		}
	}
	return nil
}

// startTime is the testsuite's timestamp, else the time in the run id
// (20061102-150405-xxxx, UTC), else zero.
func startTime(timestamp, runID string) time.Time {
	if ts, err := time.Parse(time.RFC3339, timestamp); err == nil {
		return ts
	}
	if len(runID) >= 15 {
		if ts, err := time.Parse("20060102-150405", runID[:15]); err == nil {
			return ts
		}
	}
	return time.Time{}
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
