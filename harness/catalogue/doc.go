// Package catalogue is what a target's run is judged against: every check
// (spec) that applies to the target — its suite, name and labels — and
// whether this run selected it.
//
// "Promote" must mean that the whole required test set passed. A report
// that lists only the checks that ran cannot say that: a --focus run, a
// --label-filter '!slow' run and a full run all look green. So the plan
// takes the catalogue before anything boots (a Ginkgo dry run of the same
// spec tree), the report lists every check of it with its fate (passed,
// failed, error, not applicable, not selected, not run) and records the
// catalogue's digest, and the gate insists that every check of a required
// suite passed.
//
// The digest covers the (suite, name) pairs only, because that is what a
// JUnit report can carry: a reader recomputes it from the test cases and so
// notices a report that was cut or edited.
package catalogue
