package framework

import (
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/run"
)

func TestMergeUserData(t *testing.T) {
	tg := run.Target{Image: run.Image{Name: "d", Arch: "x86_64"}}
	a := Suite{Name: "a", UserData: "runcmd:\n  - [touch, /a]\nfqdn: ${hostname}.test\n"}
	b := Suite{Name: "b", UserData: "runcmd:\n  - [touch, /b]\nfqdn: ${hostname}.test\nwrite_files:\n  - path: /x\n    content: hi\n", NetworkConfig: "version: 2\n"}
	ud, net, err := mergeUserData(tg, []Suite{a, b})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"fqdn: d-x86-64.test", "- - touch\n      - /a", "- /b", "path: /x"} {
		if !strings.Contains(ud, want) {
			t.Errorf("merged user-data lacks %q:\n%s", want, ud)
		}
	}
	if strings.Index(ud, "/a") > strings.Index(ud, "/b") {
		t.Error("lists not concatenated in suite order")
	}
	if net != "version: 2\n" {
		t.Errorf("network-config %q", net)
	}
	c := Suite{Name: "c", UserData: "fqdn: other.test\n"}
	if _, _, err := mergeUserData(tg, []Suite{a, c}); err == nil || !strings.Contains(err.Error(), `"fqdn"`) {
		t.Errorf("conflicting scalar: %v", err)
	}
	if _, _, err := mergeUserData(tg, []Suite{{Name: "bad", UserData: "[not, a, mapping]"}}); err == nil {
		t.Error("non-mapping user-data accepted")
	}
	if ud, _, _ := mergeUserData(tg, nil); ud != "" {
		t.Errorf("no suites: %q", ud)
	}
}

func TestSuiteAppliesTo(t *testing.T) {
	s := Suite{Families: []string{"debian"}, Arches: []string{"x86_64"}}
	if !s.AppliesTo(run.Image{Family: "debian", Arch: "x86_64"}) || s.AppliesTo(run.Image{Family: "fedora", Arch: "x86_64"}) || s.AppliesTo(run.Image{Family: "debian", Arch: "s390x"}) {
		t.Error("AppliesTo")
	}
}
