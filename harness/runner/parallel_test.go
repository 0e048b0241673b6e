package runner

import (
	"testing"

	"github.com/imagegate/imagegate/harness/framework"
)

func TestParseParallel(t *testing.T) {
	for in, want := range map[string]int{"": 0, "auto": 0, "3": 3} {
		if got, err := ParseParallel(in); err != nil || got != want {
			t.Errorf("ParseParallel(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"0", "-1", "many"} {
		if _, err := ParseParallel(bad); err == nil || !IsUsage(err) {
			t.Errorf("ParseParallel(%q) = %v; want a usage error", bad, err)
		}
	}
}

func TestAutoParallelBounds(t *testing.T) {
	one := []framework.Target{{MemoryMiB: 1024}}
	if n, _ := AutoParallel(one); n != 1 {
		t.Errorf("one target: %d workers", n)
	}
	huge := make([]framework.Target, 64)
	for i := range huge {
		huge[i].MemoryMiB = 1 << 30 // 1 PiB each: memory allows none, still one runs
	}
	if n, why := AutoParallel(huge); n != 1 {
		t.Errorf("targets larger than memory: %d workers (%s)", n, why)
	}
}
