// Package arch is the one table of everything that differs by guest
// architecture: QEMU binary, machine type, CPU model, firmware, the console
// device the kernel writes to, disk and NIC buses, and how much slower the
// guest is under emulation. Adding an architecture is adding one row; nothing
// else in imagegate switches on the architecture name.
package arch
