package baseline

import "testing"

// Recorded: `cloud-init status --wait --format json` on the Debian 12
// fixture (cloud-init 22.4.2-1+deb12u4): no recoverable_errors key.
const status224 = `{
  "_schema_version": "1",
  "boot_status_code": "enabled-by-generator",
  "datasource": "nocloud",
  "detail": "DataSourceNoCloud [seed=/dev/vdb][dsmode=net]",
  "errors": [],
  "last_update": "Thu, 03 Dec 2026 15:39:16 +0000",
  "status": "done"
}
`

// The shape cloud-init 23.4 and later print (from its documentation):
// recoverable errors by level, the wait's dots before the JSON.
const status234 = `...
{"status": "done", "extended_status": "degraded done", "errors": [],
 "recoverable_errors": {"WARNING": ["Failed at merging in cloud config part"]}}`

// `cloud-init status --wait --long` of a cloud-init without JSON status.
const statusText = "....\nstatus: error\ntime: Thu, 03 Dec 2026 15:39:16 +0000\ndetail:\nDataSourceNoCloud\n"

func TestParseStatus(t *testing.T) {
	js, word, err := parseStatus(status224, true)
	if err != nil || word != "done" || len(js.RecoverableErrors) != 0 || js.Errors == nil {
		t.Errorf("22.4: %+v %q %v; want done, errors listed, no recoverable errors key", js, word, err)
	}
	js, word, err = parseStatus(status234, true)
	if err != nil || word != "done" || string(js.RecoverableErrors) != `{"WARNING": ["Failed at merging in cloud config part"]}` {
		t.Errorf("23.4: %+v %q %v", js, word, err)
	}
	if js, word, err := parseStatus(statusText, false); err != nil || js != nil || word != "error" {
		t.Errorf("text: %+v %q %v; want error, no JSON", js, word, err)
	}
	for _, bad := range []struct {
		out  string
		json bool
	}{{"", true}, {"status: done\n", true}, {`{"errors": []}`, true}, {"", false}, {"Traceback ...\n", false}} {
		if _, word, err := parseStatus(bad.out, bad.json); err == nil {
			t.Errorf("parseStatus(%q, %v) = %q, want an error: nothing to judge", bad.out, bad.json, word)
		}
	}
}
