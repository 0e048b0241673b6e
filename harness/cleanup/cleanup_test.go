package cleanup

import (
	"errors"
	"testing"
)

func TestJoin(t *testing.T) {
	a, b := errors.New("destroy failed"), errors.New("remove failed")
	if Join(nil, nil) != nil {
		t.Error("all nil should give nil")
	}
	if got := Join(nil, a); got != a {
		t.Errorf("one error should come back as itself, got %v", got)
	}
	got := Join(a, nil, b)
	if got.Error() != "destroy failed; and remove failed" || !errors.Is(got, b) {
		t.Errorf("Join = %q", got)
	}
}
