#!/bin/sh
# hello-daemon: the example payload. It greets as /etc/hello-daemon.conf
# says, records the boot it runs in, and beats once a second.
set -eu
GREETING="hello"
[ -r /etc/hello-daemon.conf ] && . /etc/hello-daemon.conf
mkdir -p /run/hello-daemon
printf '%s\n' "$GREETING" > /run/hello-daemon/greeting
cat /proc/sys/kernel/random/boot_id > /run/hello-daemon/boot_id
n=0
while :; do
	n=$((n + 1))
	echo "$n" > /run/hello-daemon/heartbeat
	sleep 1
done
