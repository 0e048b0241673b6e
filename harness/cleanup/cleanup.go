package cleanup

import (
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Join returns nil when every err is nil, the error itself when one is not,
// and a *multierror.Error listing all of them on one line otherwise.
func Join(errs ...error) error {
	var m *multierror.Error
	for _, e := range errs {
		if e != nil {
			m = multierror.Append(m, e)
		}
	}
	if m == nil {
		return nil
	}
	if len(m.Errors) == 1 {
		return m.Errors[0]
	}
	m.ErrorFormat = func(es []error) string {
		parts := make([]string, len(es))
		for i, e := range es {
			parts[i] = e.Error()
		}
		return strings.Join(parts, "; and ")
	}
	return m
}
