#!/bin/sh
# After the shared reboot: the service is enabled, so it runs again, in
# the new boot.
set -eu
installed=$(cat /var/lib/hello-daemon/installed-boot-id)
for _ in $(seq 60); do
	now=$(cat /run/hello-daemon/boot_id 2>/dev/null || true)
	if [ -n "$now" ] && [ "$now" != "$installed" ]; then
		systemctl is-active hello-daemon.service
		exit 0
	fi
	sleep 2
done
echo "hello-daemon did not start in the new boot (installed in boot $installed)" >&2
systemctl status hello-daemon.service >&2 || true
exit 1
