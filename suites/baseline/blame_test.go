package baseline

import "testing"

func TestBlameFromAnalyzeShow(t *testing.T) {
	show := "-- Boot Record 01 --\n" +
		"Starting stage: init-local\n" +
		"|`->no cache found @00.01100s +00.00100s\n" +
		"|`->found local data from DataSourceNoCloud @00.11000s +00.04000s\n" +
		"Finished stage: (init-local) 00.94200 seconds\n" +
		"Starting stage: modules-config\n" +
		"|`->config-ssh ran successfully @11.59s +02.12s\n" +
		"Total Time: 3.1 seconds\n"
	want := "  2.12000s (config-ssh ran successfully)\n" +
		"  0.04000s (found local data from DataSourceNoCloud)\n"
	if got := blame(show, 2); got != want {
		t.Fatalf("blame:\n%q\nwant\n%q", got, want)
	}
	if got := blame("nothing", 5); got != "" {
		t.Fatalf("blame of no events: %q", got)
	}
}
