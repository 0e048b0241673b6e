#!/bin/sh
# Fails when a check before it left state behind in this guest: passes when
# it runs alone on a fresh guest (the rerun).
set -eu
if [ -e /run/order-flaky-mark ]; then
	echo "found $(cat /run/order-flaky-mark) in /run/order-flaky-mark" >&2
	exit 1
fi
echo "no mark: this guest is fresh"
