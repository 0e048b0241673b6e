package runner

import (
	"encoding/json"
	"os"
	"strings"
	"sync"

	"github.com/imagegate/imagegate/harness/atomicfile"
	"github.com/imagegate/imagegate/harness/event"
	"github.com/imagegate/imagegate/harness/run"
)

// eventRecorder keeps what a target's events say: every event in
// events.jsonl (for tools that follow a run), the timings in timings.json
// and the other measures in resources.json, written when the attempt ends.
type eventRecorder struct {
	mu       sync.Mutex
	l        run.Layout
	log      *os.File
	sink     *event.Sink
	timings  map[string]float64
	measures map[string]float64 // "<name>-<unit>" -> value
}

func newEventRecorder(l run.Layout) *eventRecorder {
	r := &eventRecorder{l: l, timings: map[string]float64{}, measures: map[string]float64{}}
	os.Remove(l.Timings()) // an earlier attempt's
	os.Remove(l.Resources())
	if f, err := os.Create(l.Events()); err == nil {
		r.log, r.sink = f, event.NewSink(f)
	}
	return r
}

func (r *eventRecorder) add(e event.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sink.Emit(e)
	switch e.Kind {
	case event.Timing:
		r.timings[e.Name] = e.Seconds
	case event.Measure:
		r.measures[e.Name+"-"+strings.ToLower(e.Unit)] = e.Value
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
	writeNumbers(r.l.Timings(), r.timings)
	writeNumbers(r.l.Resources(), r.measures)
}

// writeNumbers writes m as a JSON object, unless it is empty.
func writeNumbers(path string, m map[string]float64) {
	if len(m) == 0 {
		return
	}
	if b, err := json.MarshalIndent(m, "", "  "); err == nil {
		atomicfile.Write(path, b, 0o644)
	}
}
