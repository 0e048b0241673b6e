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
  apt-get update -q >/dev/null || die "apt-get update failed; check the host's apt sources"
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
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
