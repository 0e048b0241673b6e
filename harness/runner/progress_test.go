package runner

import (
	"bytes"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/event"
)

func TestBoardFollowsEventsNotWords(t *testing.T) {
	var out bytes.Buffer
	b := newBoard(&out, []string{"d/x86_64"})
	b.Start("d/x86_64")
	b.Line("d/x86_64", "20:00:01 any wording at all: SSH up")
	if got := b.rows["d/x86_64"].phase; got != "starting" {
		t.Errorf("a log line moved the phase to %q", got)
	}
	b.Event("d/x86_64", event.PhaseOf(event.SSHWait, "127.0.0.1:1"))
	if got := b.rows["d/x86_64"].phase; got != "booting: waiting for SSH" {
		t.Errorf("phase %q", got)
	}
	b.Event("d/x86_64", event.CheckOf("baseline ssh refuses passwords", "passed", 0))
	b.Event("d/x86_64", event.CheckOf("baseline slow one", "not-selected", 0))
	b.Finish("d/x86_64", "passed")
	b.Close()
	s := out.String()
	if strings.Contains(s, "\x1b[") {
		t.Errorf("escape sequences written to a non-terminal: %q", s)
	}
	if !strings.Contains(s, "[d/x86_64] 20:00:01") || b.rows["d/x86_64"].checks != 1 {
		t.Errorf("output %q, checks %d", s, b.rows["d/x86_64"].checks)
	}
}
