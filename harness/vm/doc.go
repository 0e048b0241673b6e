// Package vm defines what the harness needs from a virtual machine backend:
// a Driver that creates and starts a Machine from a Spec, and a Machine that
// can be reached over SSH, has a serial console log, and can be destroyed.
// Backends live in sub-packages (libvirt); optional abilities are separate
// interfaces found by type assertion, ErrNotSupported where they are absent.
package vm
