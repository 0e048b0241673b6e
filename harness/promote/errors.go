package promote

import (
	"fmt"

	"github.com/imagegate/imagegate/harness/gate"
)

// GateError is a gate that did not say promote.
type GateError struct{ Decision gate.Decision }

func (e GateError) Error() string {
	return fmt.Sprintf("the gate says %s for %s, not promote (%d blocking finding(s)); run imagegate gate for details",
		e.Decision.Verdict, e.Decision.Image, len(e.Decision.Blocking))
}

// ChangedError is an image file that is not the file that was tested.
type ChangedError struct {
	Arch, Path, Want, Got string
}

func (e ChangedError) Error() string {
	return fmt.Sprintf("%s: %s has sha256 %s but the reports tested %s: the file changed after testing; refusing to promote it",
		e.Arch, e.Path, e.Got, e.Want)
}

// BusyError is a production repo locked by another promotion.
type BusyError struct{ Lock, Holder string }

func (e BusyError) Error() string {
	h := e.Holder
	if h == "" {
		h = "unknown"
	}
	return fmt.Sprintf("another promotion is running (%s is locked, holder: %s); try again later or pass --wait", e.Lock, h)
}

// ConflictError is a version that is already promoted with other files.
type ConflictError struct{ Image, Version string }

func (e ConflictError) Error() string {
	return fmt.Sprintf("%s version %s is already promoted with different files; versions are immutable: pass another --version",
		e.Image, e.Version)
}

// TamperedError is a production repo whose files do not match what its
// index, checksums or signature say: damaged or tampered with.
type TamperedError struct{ What string }

func (e TamperedError) Error() string { return e.What }

func tampered(format string, args ...any) error {
	return TamperedError{What: fmt.Sprintf(format, args...)}
}
