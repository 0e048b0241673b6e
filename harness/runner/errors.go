package runner

import "errors"

// Exit codes of imagegate run.
const (
	ExitPassed = 0
	ExitFailed = 1 // a check ran and found the image wrong
	ExitError  = 2 // bad usage or the host failed: the image was not judged
)

// UsageError is bad input: a flag, a matrix, a missing image. It maps to
// exit code 2, with a message that names the input and the fix.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

func usage(err error) error { return UsageError{err} }

// IsUsage reports whether err is a UsageError.
func IsUsage(err error) bool {
	var u UsageError
	return errors.As(err, &u)
}
