package profiles

import (
	"testing"

	"github.com/imagegate/imagegate/harness/profile"
)

// Every built-in profile loads and is about the family it is named for.
func TestBuiltInProfilesLoad(t *testing.T) {
	fams := Families()
	if len(fams) == 0 {
		t.Fatal("no built-in profiles")
	}
	for _, f := range fams {
		data, name, ok := Lookup(f)
		if !ok {
			t.Fatalf("Lookup(%q) failed", f)
		}
		p, err := profile.Parse(name, data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if p.Family != f {
			t.Errorf("%s says family %q", name, p.Family)
		}
	}
	if _, _, ok := Lookup("nosuch"); ok {
		t.Error("Lookup of an unknown family succeeded")
	}
}
