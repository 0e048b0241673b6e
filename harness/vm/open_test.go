package vm

import (
	"net/url"
	"strings"
	"testing"
)

func TestOpenPicksTheDriverOfTheScheme(t *testing.T) {
	var got *url.URL
	Register(func(u *url.URL) (Driver, error) { got = u; return nil, nil }, "test+open")
	if _, err := Open("test+open://host/system"); err != nil || got == nil || got.Host != "host" {
		t.Fatalf("Open: %v, driver saw %v", err, got)
	}
	if _, err := Open("nosuch:///x"); err == nil || !strings.Contains(err.Error(), "test+open") || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("unknown scheme: %v; want one naming the schemes there are", err)
	}
	if _, err := Open("not a uri"); err == nil || !strings.Contains(err.Error(), DefaultURI) {
		t.Errorf("not a URI: %v", err)
	}
}

func TestDefaultURIIsLibvirts(t *testing.T) {
	if defaultURI(0) != "qemu:///system" || defaultURI(1000) != "qemu:///session" {
		t.Errorf("root %s, user %s", defaultURI(0), defaultURI(1000))
	}
}

func TestHostOf(t *testing.T) {
	for in, want := range map[string]string{
		"qemu+ssh://ci@kvm1:2222/system?keyfile=/k/id&known_hosts=/k/kh": "qemu+ssh://ci@kvm1:2222/system",
		"qemu:///system": "qemu:///system",
		"":               DefaultURI,
	} {
		if got := HostOf(in); got != want {
			t.Errorf("HostOf(%q) = %q, want %q", in, got, want)
		}
	}
}
