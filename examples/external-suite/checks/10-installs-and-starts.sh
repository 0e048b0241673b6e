#!/bin/sh
# The payload's files were uploaded by imagegate (files: in suite.yaml);
# install it as a service, as a SIG's layering would, and remember the boot
# it was installed in for the check after the reboot.
set -eu
systemctl daemon-reload
systemctl enable --now hello-daemon.service
mkdir -p /var/lib/hello-daemon
cat /proc/sys/kernel/random/boot_id > /var/lib/hello-daemon/installed-boot-id
systemctl is-active hello-daemon.service
