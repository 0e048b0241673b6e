package runner

import (
	"fmt"
	"os"
	"strings"

	"github.com/imagegate/imagegate/harness/matrix"
	"github.com/imagegate/imagegate/harness/profile"
	"github.com/imagegate/imagegate/harness/report"
	"github.com/imagegate/imagegate/profiles"
)

// selection says what a run of im selects, for the report's "not
// selected" messages; "" is everything.
func selection(o Options, im matrix.Image) string {
	var parts []string
	switch {
	case len(o.Suites) > 0:
		parts = append(parts, "--suite "+strings.Join(o.Suites, ","))
	case len(im.Suites) > 0:
		parts = append(parts, "the matrix limits "+im.Name+" to suites "+strings.Join(im.Suites, ","))
	}
	if o.LabelFilter != "" {
		parts = append(parts, "--label-filter "+report.ShellQuote(o.LabelFilter))
	}
	for _, f := range o.Focus {
		parts = append(parts, "--focus "+report.ShellQuote(f))
	}
	return strings.Join(parts, " ")
}

// profile is the profile im is held to, and where it came from: --profile,
// else the matrix's profile:, else the one built in for its family. A
// family with none is refused: without a profile its profile checks would
// silently not run.
func (p *Plan) profile(im matrix.Image) (data, source string, err error) {
	file := p.Opts.Profile
	if file == "" {
		file = im.Profile
	}
	var b []byte
	if file != "" {
		if b, err = os.ReadFile(file); err != nil {
			return "", "", fmt.Errorf("image %s: profile %s: %w (fix profile: in the matrix or --profile)", im.ID(), file, err)
		}
		source = file
	} else {
		var ok bool
		if b, source, ok = profiles.Lookup(im.Family); !ok {
			return "", "", fmt.Errorf("image %s: no profile for family %s (imagegate has %s): give one with profile: in the matrix or --profile FILE",
				im.ID(), im.Family, strings.Join(profiles.Families(), ", "))
		}
	}
	pr, err := profile.Parse(source, b)
	if err != nil {
		return "", "", err
	}
	if pr.Family != im.Family {
		return "", "", fmt.Errorf("image %s: profile %s is for family %s, not %s", im.ID(), source, pr.Family, im.Family)
	}
	return string(b), source, nil
}
