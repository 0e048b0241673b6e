package report

import (
	"fmt"
	"html"
	"path/filepath"
	"strings"

	"github.com/imagegate/imagegate/harness/atomicfile"
	"github.com/imagegate/imagegate/harness/run"
	"github.com/imagegate/imagegate/harness/textx"
)

// WriteTimeline draws the timeline of the target whose folder is dir into
// dir/timeline.svg. The bench calls it again once it has the floor.
func WriteTimeline(dir string) error {
	tl, err := ReadTimeline(dir)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, run.TimelineFile), []byte(tl.SVG()), 0o644)
}

const (
	svgLabelW = 130  // the lane names
	svgChartW = 940  // the bars
	svgLaneH  = 26   // one lane
	svgTop    = 22   // the title
	svgAxisH  = 34   // ticks and their labels
	svgTextIn = 46.0 // a bar this wide (px) has room for its label
)

// phaseColours gives each phase its colour; checks are coloured by fate.
var phaseColours = map[string]string{
	"phase-pinning": "#b9c6d6", "phase-booting": "#8fb3e0", "phase-waiting-for-ssh": "#6f9fd8",
	"phase-waiting-for-cloud-init": "#e8c170", "phase-checking": "#9ccf8f", "phase-rebooting": "#c7a0d9",
	"phase-collecting-evidence": "#d6b38f", "stage": "#f0d89a", "guest": "#a9c9ec",
	"passed": "#5fae5a", "failed": "#d9534f", "error": "#e0a030", "skipped": "#bbbbbb", "not-applicable": "#bbbbbb",
}

// SVG draws the timeline: one lane each for the phases, cloud-init's
// stages, the checks and the second instance, a time axis, and the floor.
func (tl Timeline) SVG() string {
	lanes := []struct {
		name  string
		spans []Span
	}{{"phases", tl.Phases}, {"cloud-init", tl.Stages}, {"checks", tl.Checks}, {"second instance", tl.Guests}}
	h := svgTop + len(lanes)*svgLaneH + svgAxisH
	w := svgLabelW + svgChartW + 20
	total := max(tl.Total, 1)
	x := func(s float64) float64 { return svgLabelW + max(0, s)/total*svgChartW }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<text x="0" y="14" font-weight="bold">%.0f s in all</text>`+"\n", tl.Total)
	for i, lane := range lanes {
		y := svgTop + i*svgLaneH
		fmt.Fprintf(&b, `<text x="0" y="%d">%s</text>`+"\n", y+17, lane.name)
		for _, s := range lane.spans {
			writeBar(&b, s, x(s.Start), x(s.End), y)
		}
	}
	writeAxis(&b, total, x, svgTop+len(lanes)*svgLaneH)
	if tl.Floor > 0 {
		fx := x(tl.Floor)
		fmt.Fprintf(&b, `<g class="floor"><line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c0392b" stroke-width="2" stroke-dasharray="5,3"/>`, fx, svgTop-4, fx, svgTop+len(lanes)*svgLaneH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#c0392b" text-anchor="end">plain QEMU: cloud-init done at %.0f s ▸</text></g>`+"\n", fx-3, svgTop-8, tl.Floor-tl.bootStart())
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// writeBar draws one span, with its label inside when it fits and always
// as a tooltip.
func writeBar(b *strings.Builder, s Span, x0, x1 float64, y int) {
	colour := phaseColours[s.Class]
	if colour == "" {
		colour = "#999999"
	}
	label := html.EscapeString(s.Label)
	fmt.Fprintf(b, `<g class="span %s" data-label="%s"><rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" stroke="#fff" stroke-width="0.5"><title>%s: %.1f s</title></rect>`,
		html.EscapeString(s.Class), label, x0, y+3, max(x1-x0, 1), svgLaneH-6, colour, label, s.End-s.Start)
	if x1-x0 >= svgTextIn {
		text := textx.Clip(s.Label, int((x1-x0)/6)-3) // about 6 px a character; whole runes
		fmt.Fprintf(b, `<text x="%.1f" y="%d" fill="#222" pointer-events="none">%s</text>`, x0+3, y+17, html.EscapeString(text))
	}
	b.WriteString("</g>\n")
}

// writeAxis draws ticks at a round step giving at most a dozen of them.
func writeAxis(b *strings.Builder, total float64, x func(float64) float64, y int) {
	step := 5.0
	for _, s := range []float64{5, 10, 15, 30, 60, 120, 300, 600} {
		step = s
		if total/s <= 12 {
			break
		}
	}
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>`+"\n", svgLabelW, y+2, svgLabelW+svgChartW, y+2)
	for t := 0.0; t <= total; t += step {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#888"/><text x="%.1f" y="%d" text-anchor="middle">%.0fs</text>`+"\n",
			x(t), y+2, x(t), y+7, x(t), y+20, t)
	}
}
