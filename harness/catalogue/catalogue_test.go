package catalogue

import (
	"bytes"
	"strings"
	"testing"
)

func TestDigestIgnoresOrderAndLabels(t *testing.T) {
	a := []Spec{{Suite: "baseline", Name: "ssh refuses password"}, {Suite: "baseline", Name: "cloud-init finished", Labels: []string{"slow"}}}
	b := []Spec{{Suite: "baseline", Name: "cloud-init finished"}, {Suite: "baseline", Name: "ssh refuses password", Selected: true}}
	if Digest(a) != Digest(b) {
		t.Error("digest depends on order, labels or selection")
	}
	c := append([]Spec{{Suite: "layered", Name: "x"}}, a...)
	if Digest(a) == Digest(c) {
		t.Error("digest ignores an added check")
	}
	// "a b" + "c" must not collide with "a" + "b c".
	if Digest([]Spec{{Suite: "a b", Name: "c"}}) == Digest([]Spec{{Suite: "a", Name: "b c"}}) {
		t.Error("suite/name boundary is ambiguous")
	}
}

func TestCheckRejectsDuplicatesAndBlanks(t *testing.T) {
	if err := Check([]Spec{{Suite: "s", Name: "n"}, {Suite: "s", Name: "n"}}); err == nil || !strings.Contains(err.Error(), "two checks named") {
		t.Errorf("duplicate: %v", err)
	}
	if err := Check([]Spec{{Suite: "s", Name: " "}}); err == nil {
		t.Error("blank name accepted")
	}
}

func TestReadWriteRoundTrip(t *testing.T) {
	in := []Spec{{Suite: "s", Name: "n", Labels: []string{"slow"}, Selected: true}, {Suite: "s", Name: "m"}}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := Read(&buf)
	if err != nil || len(out) != 2 || !out[0].Selected || out[0].Labels[0] != "slow" || Selected(out) != 1 {
		t.Fatalf("round trip: %+v, %v", out, err)
	}
	if _, err := Read(strings.NewReader("{")); err == nil {
		t.Error("truncated JSON accepted")
	}
}
