package pkgdb

import (
	"reflect"
	"testing"
)

func TestManifestRoundTrips(t *testing.T) {
	pkgs := []Package{{Name: "zlib1g", Version: "1:1.2.13.dfsg-1", Arch: "amd64"}, {Name: "bash", Version: "5.2.15-2+b7", Arch: "amd64"}}
	m := Manifest(pkgs)
	if string(m) != "bash\t5.2.15-2+b7\tamd64\nzlib1g\t1:1.2.13.dfsg-1\tamd64\n" {
		t.Fatalf("manifest:\n%s", m)
	}
	back, err := ParseManifest(m)
	if err != nil || !reflect.DeepEqual(back, []Package{pkgs[1], pkgs[0]}) {
		t.Errorf("parsed back: %+v %v", back, err)
	}
	if _, err := ParseManifest([]byte("bash 5.2\n")); err == nil {
		t.Error("a line without tabs must be refused")
	}
}
