#!/bin/sh
# Runs as the seeded user: the daemon's heartbeat must move within 30 s.
set -eu
first=$(cat /run/hello-daemon/heartbeat)
for _ in $(seq 30); do
	sleep 1
	now=$(cat /run/hello-daemon/heartbeat)
	if [ "$now" != "$first" ]; then
		echo "heartbeat moved from $first to $now"
		exit 0
	fi
done
echo "heartbeat stuck at $first for 30 s" >&2
exit 1
