package runner

import (
	"encoding/json"
	"os"
	"sync"

	"github.com/imagegate/imagegate/harness/atomicfile"
	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/run"
)

// eventRecorder keeps what a target's events say: every event in
// events.jsonl (for tools that follow a run), and the timings in
// timings.json, written when the attempt ends.
type eventRecorder struct {
	mu      sync.Mutex
	l       run.Layout
	log     *os.File
	sink    *event.Sink
	timings map[string]float64
}

func newEventRecorder(l run.Layout) *eventRecorder {
	r := &eventRecorder{l: l, timings: map[string]float64{}}
	os.Remove(l.Timings()) // an earlier attempt's
	if f, err := os.Create(l.Events()); err == nil {
		r.log, r.sink = f, event.NewSink(f)
	}
	return r
}

func (r *eventRecorder) add(e event.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sink.Emit(e)
	if e.Kind == event.Timing {
		r.timings[e.Name] = e.Seconds
	}
}

// close writes timings.json (when the target measured anything) and ends
// events.jsonl.
func (r *eventRecorder) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.log != nil {
		r.log.Close()
	}
	if len(r.timings) == 0 {
		return
	}
	if b, err := json.MarshalIndent(r.timings, "", "  "); err == nil {
		atomicfile.Write(r.l.Timings(), b, 0o644)
	}
}
