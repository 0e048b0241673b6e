package event

import (
	"bytes"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	var b bytes.Buffer
	s := NewSink(&b)
	s.Emit(PhaseOf(Booting, "imagegate-x (tcg)"))
	s.Emit(CheckOf("baseline sshd runs", "passed", 1500*time.Millisecond))
	s.Emit(TimingOf("boot-to-ssh", 61.5))
	b.WriteString("not an event\n{}\n")
	var got []Event
	if err := Read(&b, func(e Event) { got = append(got, e) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Phase != Booting || got[1].Fate != "passed" || got[1].Seconds != 1.5 || got[2].Seconds != 61.5 || got[0].Time.IsZero() {
		t.Fatalf("events %+v", got)
	}
	var nilSink *Sink
	nilSink.Emit(PhaseOf(Booting, "")) // a target without a reader
	if NewSink(nil) != nil {
		t.Error("a nil writer gives a sink")
	}
}
