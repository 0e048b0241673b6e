#!/usr/bin/env bash
# Bring this host to the state imagegate needs, idempotently, as root:
# packages installed, libvirt's qemu driver configured for running as root
# without systemd, cgroups or a security driver, and virtlogd + libvirtd up.
# Safe to run any number of times; prints what it changes.
set -euo pipefail

PACKAGES=(
  qemu-system-x86 qemu-system-arm qemu-system-ppc qemu-system-misc qemu-utils
  ovmf qemu-efi-aarch64
  libvirt-daemon libvirt-daemon-system libvirt-clients
  # the fixture recipe (fixtures/debian/build.sh), also for foreign arches
  mmdebstrap dosfstools mtools fdisk e2fsprogs systemd-boot-efi zstd
  qemu-user-static binfmt-support arch-test grub-common python3.11
  gpgv openssl openssh-client  # openssl, ssh-keygen: fixtures/debian/variant.sh
  libxml2-utils xorriso
  chromium  # renders reports/<run>/index.html in the tests
  # Only for the throwaway "remote libvirt host" in a namespace that the
  # qemu+ssh tests start (harness/nshost): its sshd, and socat to reach it
  # over a Unix socket. No sshd service of the host's is wanted: see
  # install_packages.
  socat openssh-server
  # promote --sign-key signs SHA256SUMS with gpg; promote --verify checks it
  # with gpgv.
  gpg gpgv
)

log() { printf 'setup-host: %s\n' "$*"; }
die() { printf 'setup-host: error: %s\n' "$*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "must run as root (try: sudo $0)"

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && { log "packages present"; return; }
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  no_service_starts
  apt-get update -q >/dev/null || die "apt-get update failed; check the host's apt sources"
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
  allow_service_starts
}

# Packages must not start services of their own: this script starts the
# daemons it wants (start_daemons), and openssh-server is installed only for
# harness/nshost, which runs its own sshd on 127.0.0.1 inside a namespace.
# Where no policy-rc.d exists, one that forbids every start (exit 101) is
# put in place for the install and removed after it. If openssh-server is
# not installed yet, /etc/ssh/sshd_not_to_be_run is written first: Debian's
# ssh.service and /etc/init.d/ssh refuse to start while it exists, so no
# sshd of the host's ever listens on 0.0.0.0:22, now or after a reboot.
# An sshd that is already installed (and perhaps used) is left alone.
no_service_starts() {
  local policy=/usr/sbin/policy-rc.d
  if ! dpkg-query -W -f='${db:Status-Abbrev}' openssh-server 2>/dev/null | grep -q '^ii'; then
    mkdir -p /etc/ssh && touch /etc/ssh/sshd_not_to_be_run
    log "wrote /etc/ssh/sshd_not_to_be_run: the host's ssh service stays off"
  fi
  [ -e "$policy" ] && return
  printf '#!/bin/sh\n# imagegate ci/setup-host.sh: no service starts during its install\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  OUR_POLICY=$policy
  trap allow_service_starts EXIT
  log "installing with $policy forbidding service starts (removed afterwards)"
}

allow_service_starts() {
  [ -n "${OUR_POLICY:-}" ] && rm -f "$OUR_POLICY"
  OUR_POLICY=
}

# qemu.conf for a root-run libvirtd without systemd: no dynamic ownership,
# no security driver, no cgroups, no namespaces; stdio via files.
configure_qemu() {
  local conf=/etc/libvirt/qemu.conf want
  want=$(cat <<'CONF'
# written by imagegate ci/setup-host.sh
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
CONF
)
  if [ -f "$conf" ] && [ "$(cat "$conf")" = "$want" ]; then
    log "qemu.conf up to date"; return
  fi
  [ -f "$conf" ] && [ ! -f "$conf.imagegate-orig" ] && cp "$conf" "$conf.imagegate-orig"
  printf '%s\n' "$want" > "$conf.tmp" && mv "$conf.tmp" "$conf"
  log "wrote $conf"
  RESTART=1
}

running() { pgrep -x "$1" >/dev/null; }

start_daemons() {
  mkdir -p /run/libvirt /var/log/libvirt/qemu
  if [ "${RESTART:-0}" = 1 ] && running libvirtd; then
    log "restarting libvirtd for the new qemu.conf"
    pkill -x libvirtd || true
    for _ in $(seq 50); do running libvirtd || break; sleep 0.1; done
  fi
  running virtlogd || { virtlogd -d && log "started virtlogd"; }
  running libvirtd || { libvirtd -d && log "started libvirtd"; }
  for _ in $(seq 100); do
    if virsh -c qemu:///system version >/dev/null 2>&1; then
      log "libvirtd answers on qemu:///system"; return
    fi
    sleep 0.2
  done
  die "libvirtd did not answer on qemu:///system within 20s; see /var/log/libvirt/"
}

# Foreign-arch fixture builds run maintainer scripts under qemu-user:
# make sure the kernel knows the qemu binfmt handlers (no systemd here).
enable_binfmt() {
  local d=/proc/sys/fs/binfmt_misc
  [ -e "$d/qemu-aarch64" ] && { log "binfmt handlers registered"; return; }
  [ -e "$d/register" ] || mount -t binfmt_misc binfmt_misc "$d" 2>/dev/null || true
  update-binfmts --enable >/dev/null 2>&1 || true
  [ -e "$d/qemu-aarch64" ] && log "registered qemu binfmt handlers" \
    || log "warning: qemu binfmt handlers not registered; foreign-arch fixture builds will fail"
}

install_packages
configure_qemu
enable_binfmt
start_daemons
