package gate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the result as indented JSON.
func (r Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the result for people: per image the decision, what
// each arch holds, every blocking finding, then the notes.
func (r Result) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, d := range r.Decisions {
		writeDecision(&b, d)
	}
	n := map[Verdict]int{}
	for _, d := range r.Decisions {
		n[d.Verdict]++
	}
	fmt.Fprintf(&b, "gate: %d image(s): %d promote, %d reject, %d inconclusive (exit %d)\n",
		len(r.Decisions), n[Promote], n[Reject], n[Inconclusive], r.ExitCode)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeDecision(b *strings.Builder, d Decision) {
	fmt.Fprintf(b, "%s: %s", d.Image, strings.ToUpper(string(d.Verdict)))
	if d.Policy != "" {
		fmt.Fprintf(b, "  (policy %s)", d.Policy)
	}
	b.WriteString("\n")
	for _, a := range d.Arches {
		writeArch(b, a)
	}
	writeFindings(b, "blocking", d.Blocking)
	writeFindings(b, "notes", d.Notes)
}

func writeArch(b *strings.Builder, a ArchResult) {
	req := ""
	if !a.Required {
		req = " (not required)"
	}
	if !a.Present {
		fmt.Fprintf(b, "  %-9s no usable results%s\n", a.Arch, req)
		return
	}
	var parts []string
	for _, x := range []struct {
		n    int
		what string
	}{{a.Waived, "waived"}, {a.Grace, "in grace"}, {a.Flaky, "flaky"}, {a.Quarantined, "quarantined"}, {a.StillFailing, "still failing as in production"}} {
		if x.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", x.n, x.what))
		}
	}
	extra := ""
	if len(parts) > 0 {
		extra = " (" + strings.Join(parts, ", ") + ")"
	}
	fmt.Fprintf(b, "  %-9s sha256 %.16s  %s%s  runs %s%s\n", a.Arch, a.SHA256, a.Counts, extra, strings.Join(a.Runs, ","), req)
}

func writeFindings(b *strings.Builder, title string, fs []Finding) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(b, "  %s:\n", title)
	for _, f := range fs {
		where := ""
		if f.Arch != "" {
			where = f.Arch + ": "
		}
		fmt.Fprintf(b, "    - %s%s: %s\n", where, f.Kind, f.Message)
		const show = 8
		for i, c := range f.Checks {
			if i == show {
				fmt.Fprintf(b, "        ... and %d more (--json lists every one)\n", len(f.Checks)-show)
				break
			}
			fmt.Fprintf(b, "        %s %s\n", f.Suite, c)
		}
	}
}
