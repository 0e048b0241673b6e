// Package event is the child's progress as data: typed events, one JSON
// object per line, on a channel of their own (a pipe the parent opens as
// the child's fd 3), apart from the human log. The live board, timings.json
// and the run's log are fed from them, so rewording a log line cannot break
// them, and a tool can follow a run without scraping text.
package event

import (
	"bufio"
	"encoding/json"
	"io"
	"sync"
	"time"
)

// Kind says what an event reports.
type Kind string

const (
	// Phase: the target entered a phase (Phase names it).
	Phase Kind = "phase"
	// Check: a check ended (Check names it, Fate says how).
	Check Kind = "check"
	// Timing: a measured duration (Name, Seconds), kept in timings.json.
	Timing Kind = "timing"
	// Measure: another measured quantity (Name, Value, Unit), kept in
	// resources.json; e.g. the QEMU process's peak resident memory.
	Measure Kind = "measure"
)

// SecondInstanceUp is the timing of the target's second instance, from
// its start to cloud-init done, whether it booted beside the first guest
// or when its check asked.
const SecondInstanceUp = "second-instance-up"

// Phases of a target, in order.
const (
	Pinning   = "pinning"
	Booting   = "booting"
	SSHWait   = "waiting-for-ssh"
	Settling  = "waiting-for-cloud-init"
	Checking  = "checking"
	Rebooting = "rebooting"
	Evidence  = "collecting-evidence"
)

// Event is one line of the stream.
type Event struct {
	Time    time.Time `json:"time"`
	Kind    Kind      `json:"kind"`
	Phase   string    `json:"phase,omitempty"`
	Check   string    `json:"check,omitempty"`
	Fate    string    `json:"fate,omitempty"`
	Name    string    `json:"name,omitempty"`
	Seconds float64   `json:"seconds,omitempty"`
	Value   float64   `json:"value,omitempty"`
	Unit    string    `json:"unit,omitempty"`
	// Detail is for people: the machine's name, the timeout, a reason.
	Detail string `json:"detail,omitempty"`
}

// Sink receives events; nil-safe.
type Sink struct {
	mu  sync.Mutex
	enc *json.Encoder
}

// NewSink writes events to w as JSON lines; a nil w discards them.
func NewSink(w io.Writer) *Sink {
	if w == nil {
		return nil
	}
	return &Sink{enc: json.NewEncoder(w)}
}

// Emit writes one event, stamped now unless it has a time.
func (s *Sink) Emit(e Event) {
	if s == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enc.Encode(e) // a reader that went away must not stop the target
}

// PhaseOf, CheckOf and TimingOf build the three kinds.
func PhaseOf(phase, detail string) Event { return Event{Kind: Phase, Phase: phase, Detail: detail} }
func CheckOf(check, fate string, d time.Duration) Event {
	return Event{Kind: Check, Check: check, Fate: fate, Seconds: d.Seconds()}
}
func TimingOf(name string, seconds float64) Event {
	return Event{Kind: Timing, Name: name, Seconds: seconds}
}

// MeasureOf builds a Measure: value in unit (e.g. "MiB").
func MeasureOf(name string, value float64, unit string) Event {
	return Event{Kind: Measure, Name: name, Value: value, Unit: unit}
}

// Read calls f for each event of r until it ends; a line that is not an
// event is skipped (the stream is progress, not a record of results).
func Read(r io.Reader, f func(Event)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		var e Event
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Kind != "" {
			f(e)
		}
	}
	return sc.Err()
}
