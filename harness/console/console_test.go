package console

import (
	"strings"
	"testing"
)

const fpBlock = `[   12.3] cloud-init[512]: Cloud-init v. 22.4.2 running 'modules:final'
ci-info: no authorized SSH keys fingerprints found for user imagegate.
<14>Nov 22 20:45:01 cloud-init: #############################################################
<14>Nov 22 20:45:01 cloud-init: -----BEGIN SSH HOST KEY FINGERPRINTS-----
<14>Nov 22 20:45:01 cloud-init: 256 SHA256:ZbEoBb6+2bZSvM3LX30MgJ2ZIyp3Bs3aFK8tR4Jg5mU root@guest (ECDSA)
<14>Nov 22 20:45:01 cloud-init: 256 SHA256:6i9hjwP5vWbV0aN8cD5wzM1qk1vFkVt0n4sJ1PZ3Sg8 root@guest (ED25519)
<14>Nov 22 20:45:01 cloud-init: -----END SSH HOST KEY FINGERPRINTS-----
`

func TestFingerprints(t *testing.T) {
	if got := Fingerprints([]byte("booting...\n-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 SHA256:x")); got != nil {
		t.Errorf("incomplete block gave %v", got)
	}
	got := Fingerprints([]byte(fpBlock))
	want := []string{"SHA256:ZbEoBb6+2bZSvM3LX30MgJ2ZIyp3Bs3aFK8tR4Jg5mU", "SHA256:6i9hjwP5vWbV0aN8cD5wzM1qk1vFkVt0n4sJ1PZ3Sg8"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v want %v", got, want)
	}
	second := strings.ReplaceAll(fpBlock, "ZbEoBb6", "AAAAAAA")
	got = Fingerprints([]byte(fpBlock + "reboot\n" + second))
	if len(got) != 2 || !strings.HasPrefix(got[0], "SHA256:AAAAAAA") {
		t.Errorf("later block should win, got %v", got)
	}
}

func TestScan(t *testing.T) {
	log := "ok line\n[    1.0] Kernel panic - not syncing: VFS: Unable to mount root fs\n" +
		"[  OK  ] Started foo\n[FAILED] Failed to start bar.service - Bar.\n" +
		"You are in emergency mode. After logging in, type \"journalctl -xb\"\n" +
		"[    2.0] Call Trace:\n"
	kinds := map[string]bool{}
	for _, f := range Scan([]byte(log)) {
		kinds[f.Kind] = true
	}
	for _, k := range []string{"panic", "failed-unit", "emergency", "call-trace"} {
		if !kinds[k] {
			t.Errorf("Scan missed %s in %q", k, log)
		}
	}
	if f := Scan([]byte(fpBlock + "[  OK  ] Reached target Multi-User System.\n")); len(f) != 0 {
		t.Errorf("clean boot gave findings %v", f)
	}
}

func TestCleanAndTail(t *testing.T) {
	raw := []byte("a\x1b[0;32m OK \x1b[0m\r\nb\x00\x07\xff\xfe c\n")
	got := Clean(raw)
	if got != "a OK \nb\uFFFD\uFFFD c\n" {
		t.Errorf("Clean = %q", got)
	}
	if got := Tail([]byte("1\n2\n3\n4\n"), 2); got != "3\n4" {
		t.Errorf("Tail = %q", got)
	}
	if got := TailFile("/nonexistent/console.log", 5); !strings.Contains(got, "no console log") {
		t.Errorf("TailFile missing = %q", got)
	}
}
