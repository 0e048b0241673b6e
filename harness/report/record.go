package report

import (
	"encoding/json"
	"strings"

	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/fault"
)

// record is target.json: the target's catalogue with the fate of every
// check, exactly as its JUnit testsuite reports it, plus the fault.
type record struct {
	Target     string            `json:"target"`
	Verdict    string            `json:"verdict"`
	Why        string            `json:"why,omitempty"`
	Properties map[string]string `json:"properties"`
	Fault      *fault.Fault      `json:"fault,omitempty"`
	Steps      []recordCase      `json:"steps"`
	Checks     []recordCase      `json:"checks"`
}

type recordCase struct {
	Suite   string   `json:"suite,omitempty"`
	Name    string   `json:"name"`
	Labels  []string `json:"labels,omitempty"`
	Fate    string   `json:"fate"`
	Message string   `json:"message,omitempty"`
	// Flaky: the check failed, then passed on a rerun (Fate is passed).
	Flaky bool `json:"flaky,omitempty"`
}

// Record is a target's target.json.
func Record(built Built) ([]byte, error) {
	t, ts := built.Target, built.Suite
	rec := record{Target: t.ID, Properties: map[string]string{}, Fault: t.Fault, Steps: []recordCase{}, Checks: []recordCase{}}
	rec.Verdict, rec.Why = Verdict(ts)
	if ts.Properties != nil {
		for _, p := range *ts.Properties {
			rec.Properties[p.Name] = p.Value
		}
	}
	labels := map[string][]string{}
	for _, s := range t.Catalogue {
		labels[catalogue.Key(s.Suite, s.Name)] = s.Labels
	}
	for _, tc := range ts.Testcases {
		c := recordCase{Name: tc.Name, Fate: catalogue.Passed}
		switch {
		case tc.Failure != nil:
			c.Fate, c.Message = catalogue.Failed, tc.Failure.Message
		case tc.Error != nil:
			c.Fate, c.Message = catalogue.Error, tc.Error.Message
		case tc.Skipped != nil:
			c.Fate, c.Message = tc.Skipped.Type, tc.Skipped.Message
		default:
			c.Flaky = IsFlaky(tc.SystemOut)
		}
		suite, isCheck := strings.CutPrefix(tc.Classname, t.ID+".")
		if !isCheck {
			rec.Steps = append(rec.Steps, c)
			continue
		}
		c.Suite, c.Labels = suite, labels[catalogue.Key(suite, tc.Name)]
		rec.Checks = append(rec.Checks, c)
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	return append(b, '\n'), err
}
