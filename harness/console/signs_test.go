package console

import "testing"

func TestClassify(t *testing.T) {
	for line, want := range map[string]Sign{
		"[    0.000000] Linux version 6.1.0-28-cloud-amd64 (debian-kernel@lists.debian.org)":                         KernelStart,
		"Linux version 6.1.0-28-arm64 (debian-kernel@lists.debian.org)":                                              KernelStart,
		"[   20.1] Kernel panic - not syncing: sysrq triggered crash":                                                Panic,
		"[   20.1] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100":                          Panic,
		"[    5.2] BUG: unable to handle page fault for address: ffff":                                               Oops,
		"[    5.2] general protection fault, probably for non-canonical address 0xdead: 0000 [#1] PREEMPT SMP NOPTI": Oops,
		"[   30.0] traps: cc1[123] general protection fault ip:7f sp:7ffd error:0 in libc.so":                        NoSign,
		"(initramfs) ": Initramfs,
		"(initramfs)":  Initramfs,
		"ALERT!  PARTUUID=abc does not exist.  Dropping to a shell!":                   Initramfs,
		"You are in emergency mode. After logging in, type \"journalctl -xb\" to view": Emergency,
		"debian-12-x86-64 login: ": SystemUp,
		"debian-12-x86-64 login:":  SystemUp,
		"<14>Dec  2 05:00:01 cloud-init: Cloud-init v. 22.4.2 finished at Wed, 02 Dec 2026 05:00:01 +0000. Datasource DataSourceNoCloud": SystemUp,
		"[  OK  ] Reached target multi-user.target - Multi-User System.":                                                                 NoSign,
		"echo Linux version is nice": NoSign,
	} {
		if got := Classify(line); got != want {
			t.Errorf("Classify(%q) = %s, want %s", line, got, want)
		}
	}
}
