package report

import (
	"bytes"
	"fmt"
	"html/template"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/imagegate/imagegate/harness/atomicfile"
	"github.com/imagegate/imagegate/harness/catalogue"
	"github.com/imagegate/imagegate/harness/names"
	"github.com/imagegate/imagegate/harness/run"
)

// Page is the data of reports/<run-id>/index.html: a matrix of image ×
// arch, one cell per target with each suite's state, and every failure
// with links to its evidence and its reproducer.
type Page struct {
	RunID    string
	Arches   []string
	Rows     []pageRow
	Failures []pageFailure
	// NotSelected counts checks this run did not select: a green page
	// with some is not a full run.
	NotSelected int
	Timelines   []pageTimeline
	// Compared are the targets compared with a production image
	// (--compare-to): its summary, and a link to compare.json.
	Compared []pageCompare
}

type pageCompare struct{ ID, Summary, Link string }

// pageTimeline is one target's timeline picture.
type pageTimeline struct{ ID, Src string }

type pageRow struct {
	Image string
	Cells []pageCell // one per arch, in Arches order
}

type pageCell struct {
	Present  bool
	State    string // passed, failed, error
	Suites   []pageSuite
	Link     string // the target's evidence folder, relative
	Timeline string // its timeline.svg, relative; "" when there is none
}

type pageSuite struct {
	Name                               string
	Passed, Total                      int
	NotSelected, NotApplicable, NotRun int
	State                              string
}

// Note says what did not pass without failing: checks not selected, not
// applicable or not run.
func (s pageSuite) Note() string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{s.NotSelected, "not selected"}, {s.NotApplicable, "not applicable"}, {s.NotRun, "not run"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return strings.Join(parts, ", ")
}

type pageFailure struct {
	Target, Case, Kind, Message, Reproduce string
	Evidence                               []pageLink
}

type pageLink struct{ Name, Href string }

// BuildPage lays out the page from the JUnit document and the targets it
// was built from (same order). Links are relative to runDir.
func BuildPage(runID, runDir string, doc junit.Testsuites, targets []Target) Page {
	p := Page{RunID: runID}
	cells := map[[2]string]pageCell{}
	images := map[string]bool{}
	arches := map[string]bool{}
	for i, ts := range doc.Suites {
		image, arch, _ := names.SplitID(ts.Name)
		images[image], arches[arch] = true, true
		var t Target
		if i < len(targets) {
			t = targets[i]
		}
		c := p.cell(runDir, ts, t)
		cells[[2]string{image, arch}] = c
		if t.Compare != nil {
			p.Compared = append(p.Compared, pageCompare{ID: ts.Name, Summary: t.Compare.Summary, Link: rel(runDir, filepath.Join(filepath.Dir(t.Console), run.CompareFile))})
		}
		if c.Timeline != "" {
			p.Timelines = append(p.Timelines, pageTimeline{ID: ts.Name, Src: c.Timeline})
		}
	}
	p.Arches = slices.Sorted(maps.Keys(arches))
	for _, im := range slices.Sorted(maps.Keys(images)) {
		row := pageRow{Image: im}
		for _, a := range p.Arches {
			row.Cells = append(row.Cells, cells[[2]string{im, a}])
		}
		p.Rows = append(p.Rows, row)
	}
	return p
}

func (p *Page) cell(runDir string, ts junit.Testsuite, t Target) pageCell {
	c := pageCell{Present: true, State: "passed", Link: rel(runDir, filepath.Dir(t.Console))}
	if svg := filepath.Join(filepath.Dir(t.Console), run.TimelineFile); t.Console != "" && fileExists(svg) {
		c.Timeline = rel(runDir, svg)
	}
	suites := map[string]*pageSuite{}
	var order []string
	for _, tc := range ts.Testcases {
		name := tc.Classname[strings.LastIndex(tc.Classname, ".")+1:]
		if !strings.Contains(tc.Classname, ".") {
			name = "harness"
		}
		s := suites[name]
		if s == nil {
			s = &pageSuite{Name: name, State: "passed"}
			suites[name] = s
			order = append(order, name)
		}
		s.Total++
		kind := ""
		switch {
		case tc.Error != nil:
			kind, s.State, c.State = "error", worse(s.State, "error"), worse(c.State, "error")
		case tc.Failure != nil:
			kind, s.State, c.State = "failure", worse(s.State, "failed"), worse(c.State, "failed")
		case tc.Skipped == nil:
			s.Passed++
		case tc.Skipped.Type == catalogue.NotApplicable:
			s.NotApplicable++
		case tc.Skipped.Type == catalogue.NotSelected:
			s.NotSelected++
			p.NotSelected++
			s.State, c.State = worse(s.State, "partial"), worse(c.State, "partial")
		default: // not run
			s.NotRun++
			s.State, c.State = worse(s.State, "error"), worse(c.State, "error")
		}
		if kind != "" {
			p.Failures = append(p.Failures, failure(runDir, ts.Name, tc, kind, t))
		}
	}
	for _, n := range order {
		c.Suites = append(c.Suites, *suites[n])
	}
	return c
}

func failure(runDir, target string, tc junit.Testcase, kind string, t Target) pageFailure {
	r := tc.Failure
	if r == nil {
		r = tc.Error
	}
	f := pageFailure{Target: target, Case: tc.Name, Kind: kind, Message: r.Message, Reproduce: reproduce(t, "", "")}
	if _, suite, ok := strings.Cut(tc.Classname, target+"."); ok { // one spec; boot, cleanup, run are the target's
		f.Reproduce = reproduce(t, suite, tc.Name)
	}
	for _, a := range t.Attachments {
		f.Evidence = append(f.Evidence, pageLink{Name: filepath.Base(a), Href: rel(runDir, a)})
	}
	return f
}

// worse orders states: passed < partial (checks not selected) < failed <
// error (an error means not judged).
func worse(a, b string) string {
	rank := map[string]int{"passed": 0, "partial": 1, "failed": 2, "error": 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func rel(base, p string) string {
	if r, err := filepath.Rel(base, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return "file://" + filepath.ToSlash(p)
}

// WritePage renders the page atomically.
func WritePage(path string, p Page) error {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>imagegate {{.RunID}}</title>
<style>
body{font-family:sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.4em .6em;vertical-align:top}
td.passed{background:#d9f2d9}td.partial{background:#e3ecf7}td.failed{background:#f8d0d0}td.error{background:#f6e3b4}td.absent{background:#eee}
.suite{display:block;font-size:.9em}.passed .state{color:#185c18}.partial .state{color:#24508f}.failed .state{color:#9b1c1c}.error .state{color:#8a5a00}.note{color:#555}
pre{background:#f4f4f4;padding:.5em;white-space:pre-wrap}
.timeline img{max-width:100%;border:1px solid #ddd}.legend{color:#555;max-width:60em}
</style></head><body>
<h1>imagegate run {{.RunID}}</h1>
<table id="matrix"><tr><th>image</th>{{range .Arches}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><th>{{.Image}}</th>{{range .Cells}}{{if .Present}}<td class="{{.State}}" data-state="{{.State}}"><a href="{{.Link}}/">{{.State}}</a>{{range .Suites}}<span class="suite {{.State}}">{{.Name}}: <span class="state">{{.Passed}}/{{.Total}}</span>{{with .Note}} <span class="note">({{.}})</span>{{end}}</span>{{end}}</td>{{else}}<td class="absent">—</td>{{end}}{{end}}</tr>
{{end}}</table>
{{if .Failures}}<h2>Failures</h2>{{range .Failures}}<div class="failure" data-kind="{{.Kind}}"><h3>{{.Target}}: {{.Case}} ({{.Kind}})</h3><p>{{.Message}}</p>{{if .Reproduce}}<pre>{{.Reproduce}}</pre>{{end}}<p>evidence: {{range .Evidence}}<a href="{{.Href}}">{{.Name}}</a> {{end}}</p></div>{{end}}{{else if .NotSelected}}<p id="partial">No check failed, but {{.NotSelected}} checks were not selected: this is not a full run, and the gate will not promote on it alone.</p>{{else}}<p id="all-green">Every target passed.</p>{{end}}
{{if .Compared}}<h2>Compared with production</h2>
{{range .Compared}}<div class="compare" data-target="{{.ID}}"><h3>{{.ID}}</h3><pre>{{.Summary}}</pre><p><a href="{{.Link}}">compare.json</a></p></div>
{{end}}{{end}}{{if .Timelines}}<h2>Where the time went</h2>
<p class="legend">Each target from start to end: its phases, cloud-init's stages (by the guest's clock), each check (green passed, red failed, amber error) and the second instance; a dashed red line marks plain QEMU's cloud-init done on the same image when <code>make bench</code> measured it. Hover a bar for its name and length.</p>
{{range .Timelines}}<div class="timeline" data-target="{{.ID}}"><h3>{{.ID}}</h3><img src="{{.Src}}" alt="timeline of {{.ID}}"></div>
{{end}}{{end}}</body></html>
`))
