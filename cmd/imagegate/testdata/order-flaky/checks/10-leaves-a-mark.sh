#!/bin/sh
# Leaves state behind in the guest, as a careless check does.
set -eu
echo "left by 10-leaves-a-mark" > /run/order-flaky-mark
echo "left a mark in /run/order-flaky-mark"
