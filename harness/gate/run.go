package gate

import (
	"errors"
	"time"

	"github.com/imagegate/imagegate/harness/junitread"
)

// Options name the gate's inputs on disk.
type Options struct {
	Policy  string   // the policy file
	Reports []string // report folders under judgment (a run folder, or a folder of runs)
	History []string // older report folders, for the grace period only
	Images  []string // decide only these images
	Now     time.Time
}

// Run loads the policy and the reports and evaluates them. An error means
// bad input (a policy or report that cannot be read): nothing was judged.
func Run(o Options) (Result, error) {
	if len(o.Reports) == 0 {
		return Result{}, errors.New("no reports given (pass --reports DIR)")
	}
	p, err := Load(o.Policy)
	if err != nil {
		return Result{}, err
	}
	reports, err := junitread.ReadDirs(o.Reports...)
	if err != nil {
		return Result{}, err
	}
	var hist []*junitread.Report
	if len(o.History) > 0 {
		if hist, err = junitread.ReadDirs(o.History...); err != nil {
			return Result{}, err
		}
	}
	return Evaluate(Input{Policy: p, Reports: reports, History: hist, Images: o.Images, Now: o.Now}), nil
}
