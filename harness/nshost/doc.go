// Package nshost builds a throwaway "remote libvirt host" on this machine
// out of Linux namespaces, for tests of imagegate's qemu+ssh support.
//
// Why: a qemu+ssh:// URI needs a second host with its own sshd and its own
// libvirtd, and tests cannot count on a second machine. A process tree in
// fresh network, mount and PID namespaces is one: it has its own loopback,
// its own /run/libvirt, /var/lib/libvirt, /etc/libvirt (a copy of this
// host's, so qemu.conf is the same), /var/tmp and /root, and its own
// libvirtd and sshd, while the host's libvirtd goes on untouched.
//
// The network rule: no veth, no bridge, no address but loopback. Inside,
// sshd listens on 127.0.0.1:22 of the namespace's own loopback and socat
// offers it as a Unix socket in the caller's directory; outside, the Go
// side listens on 127.0.0.1 of the host and copies each connection to that
// socket. Nothing listens beyond 127.0.0.1, on either side.
//
// Start needs root and unshare, nsenter, ip, socat, /usr/sbin/sshd,
// libvirtd and virsh (ci/setup-host.sh installs them). Stop kills the whole
// tree; the namespaces and their private mounts go with it.
package nshost
