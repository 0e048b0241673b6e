#!/bin/sh
# Not every image has SELinux: where it is off, this check does not apply,
# and says why (exit 77, the suite's not_applicable_exit).
set -eu
if [ ! -e /sys/fs/selinux/enforce ]; then
	echo "SELinux is not enabled on this image, so there are no labels to check"
	exit 77
fi
label=$(stat -c %C /usr/local/lib/hello-daemon/hello-daemon.sh)
case "$label" in
*:bin_t:* | *:usr_t:*) echo "labelled $label" ;;
*) echo "unexpected label $label" >&2; exit 1 ;;
esac
