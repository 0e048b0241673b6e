package runner

import (
	"bytes"
	"strings"
	"testing"
)

func TestBoardPlainLines(t *testing.T) {
	var out bytes.Buffer
	b := newBoard(&out, []string{"d/x86_64"})
	b.Start("d/x86_64")
	b.Line("d/x86_64", "20:00:01 d/x86_64: waiting for SSH on 127.0.0.1:1")
	if got := b.rows["d/x86_64"].phase; got != "booting: waiting for SSH" {
		t.Errorf("phase %q", got)
	}
	b.Line("d/x86_64", "20:01:00 d/x86_64: check passed: ssh refuses password authentication (1.2s)")
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
