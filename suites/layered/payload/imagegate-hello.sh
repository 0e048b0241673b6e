#!/bin/sh
# A stand-in for a SIG's layered content: a small daemon that proves it is
# running by writing a heartbeat and its boot id.
set -eu
dir=/run/imagegate-hello
mkdir -p "$dir"
cat /proc/sys/kernel/random/boot_id > "$dir/boot_id"
n=0
while :; do
	n=$((n + 1))
	echo "$n" > "$dir/heartbeat.tmp" && mv "$dir/heartbeat.tmp" "$dir/heartbeat"
	sleep 1
done
