// Package cleanup joins the errors of undo steps (destroy, remove, close)
// with go-multierror, formatted on one line so a failure message stays
// readable in a terminal and in JUnit.
package cleanup
