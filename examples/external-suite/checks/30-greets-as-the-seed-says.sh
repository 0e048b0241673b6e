#!/bin/sh
# The seed's user_data (suite.yaml) wrote the greeting; the daemon must use it.
set -eu
want="hello from the seed"
got=$(cat /run/hello-daemon/greeting)
if [ "$got" != "$want" ]; then
	echo "greeting is \"$got\", want \"$want\"" >&2
	exit 1
fi
echo "greets: $got"
