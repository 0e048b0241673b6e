// Package libvirt is the vm.Driver for libvirt's QEMU driver, on
// github.com/digitalocean/go-libvirt (the only package that imports it).
//
// A machine is a transient domain: its XML is built from Go structs (see
// domain.go, golden-tested), its disk is a qcow2 overlay on the candidate so
// the candidate is never written, its serial console goes to a file, and its
// only network is QEMU user-mode networking with restrict=on and SSH
// forwarded from 127.0.0.1. go-libvirt has no contexts; every call here runs
// under one, and a cancelled Create force-destroys what it started.
package libvirt
