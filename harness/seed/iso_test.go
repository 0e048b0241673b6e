package seed

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kdomanski/iso9660"
)

func testPlan(t *testing.T) Plan {
	t.Helper()
	s := baseSpec(t)
	s.ExtraUserData = extraUserData
	s.NetworkConfig = []byte(networkConfig)
	p, err := s.Plan()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writeTestISO writes testPlan to a fresh directory and returns the image path.
func writeTestISO(t *testing.T) (Plan, string) {
	t.Helper()
	p := testPlan(t)
	path := filepath.Join(t.TempDir(), "seed.iso")
	if err := p.WriteISO(path); err != nil {
		t.Fatal(err)
	}
	return p, path
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// readISO reads an image back with the library: its label and its root files.
func readISO(t *testing.T, path string) (string, []File) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := iso9660.OpenImage(f)
	if err != nil {
		t.Fatal(err)
	}
	label, err := img.Label()
	if err != nil {
		t.Fatal(err)
	}
	root, err := img.RootDir()
	if err != nil {
		t.Fatal(err)
	}
	children, err := root.GetChildren()
	if err != nil {
		t.Fatal(err)
	}
	var files []File
	for _, c := range children {
		if c.IsDir() {
			t.Errorf("unexpected directory %q in image", c.Name())
			continue
		}
		data, err := io.ReadAll(c.Reader())
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, File{Name: c.Name(), Data: data})
	}
	return label, files
}

func assertSameFiles(t *testing.T, got, want []File) {
	t.Helper()
	if g, w := namesOf(got), namesOf(want); !slices.Equal(g, w) {
		t.Fatalf("image files %v, want %v", g, w)
	}
	for i := range want {
		if !bytes.Equal(got[i].Data, want[i].Data) {
			t.Errorf("%s in image differs:\n--- got\n%s--- want\n%s", want[i].Name, got[i].Data, want[i].Data)
		}
	}
}

func namesOf(files []File) []string {
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	return names
}

// sortedFiles returns p's files ordered by name, as an ISO 9660 directory
// lists them.
func sortedFiles(p Plan) []File {
	files := slices.Clone(p.Files)
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return files
}

func TestWriteISOReadBack(t *testing.T) {
	p, path := writeTestISO(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 || !fi.Mode().IsRegular() {
		t.Errorf("mode %v, want -rw-r--r--", fi.Mode())
	}
	if fi.Size()%2048 != 0 {
		t.Errorf("size %d is not a whole number of 2048-byte sectors", fi.Size())
	}
	if names := dirNames(t, filepath.Dir(path)); !slices.Equal(names, []string{"seed.iso"}) {
		t.Errorf("directory holds %v, want only seed.iso", names)
	}
	label, files := readISO(t, path)
	if label != "cidata" {
		t.Errorf("label %q, want cidata", label)
	}
	assertSameFiles(t, files, sortedFiles(p))
}

func TestWriteISOWithoutNetworkConfig(t *testing.T) {
	p, err := baseSpec(t).Plan()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "seed.iso")
	if err := p.WriteISO(path); err != nil {
		t.Fatal(err)
	}
	_, files := readISO(t, path)
	if got := namesOf(files); !slices.Equal(got, []string{"meta-data", "user-data"}) {
		t.Errorf("image files %v, want [meta-data user-data]", got)
	}
}

func TestWriteISOReplacesExistingFile(t *testing.T) {
	p := testPlan(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "seed.iso")
	if err := os.WriteFile(path, []byte("old contents"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteISO(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	_, files := readISO(t, path)
	assertSameFiles(t, files, sortedFiles(p))
	if names := dirNames(t, dir); !slices.Equal(names, []string{"seed.iso"}) {
		t.Errorf("directory holds %v, want only seed.iso", names)
	}
}

func TestWriteISONonexistentDir(t *testing.T) {
	base := t.TempDir()
	err := testPlan(t).WriteISO(filepath.Join(base, "missing", "seed.iso"))
	if err == nil {
		t.Fatal("WriteISO into a missing directory succeeded")
	}
	if !strings.Contains(err.Error(), "seed.iso") {
		t.Errorf("error %q does not name the path", err)
	}
	if names := dirNames(t, base); len(names) != 0 {
		t.Errorf("left %v behind", names)
	}
}

// When the final rename fails, the image was already written to the
// temporary file: it must be removed and the target left alone.
func TestWriteISORenameFailureLeavesNoTempFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "seed.iso")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "keep"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := testPlan(t).WriteISO(target); err == nil {
		t.Fatal("WriteISO over a non-empty directory succeeded")
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"seed.iso"}) {
		t.Errorf("directory holds %v, want only the untouched seed.iso", names)
	}
	if names := dirNames(t, target); !slices.Equal(names, []string{"keep"}) {
		t.Errorf("target directory changed: %v", names)
	}
}

func TestWriteISORejectsBadPlan(t *testing.T) {
	good := testPlan(t)
	cases := map[string]struct {
		files   []File
		wantErr string
	}{
		"uppercase name": {append(slices.Clone(good.Files), File{Name: "Vendor-Data"}), `file name "Vendor-Data"`},
		"dotted name":    {append(slices.Clone(good.Files), File{Name: "a.b"}), `file name "a.b"`},
		"path":           {append(slices.Clone(good.Files), File{Name: "dir/x"}), `file name "dir/x"`},
		"too long":       {append(slices.Clone(good.Files), File{Name: strings.Repeat("a", 29)}), "file name"},
		"duplicate":      {append(slices.Clone(good.Files), good.Files[0]), `"meta-data" appears twice`},
		"no user-data":   {good.Files[:1], "no user-data"},
		"no meta-data":   {good.Files[1:2], "no meta-data"},
		"empty plan":     {nil, "no meta-data"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			err := Plan{Files: c.files}.WriteISO(filepath.Join(dir, "seed.iso"))
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
			if names := dirNames(t, dir); len(names) != 0 {
				t.Errorf("left %v behind", names)
			}
		})
	}
}

// linuxISOName is what Linux's isofs shows for a plain ISO 9660 identifier
// under its default map=normal (isofs_name_translate in fs/isofs/dir.c):
// lowercased, a trailing ".;1" or ";1" dropped, other ';' turned into '.'.
func linuxISOName(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == 0 {
			break
		}
		if c >= 'A' && c <= 'Z' {
			c |= 0x20
		}
		if c == '.' && i == len(raw)-3 && raw[i+1] == ';' && raw[i+2] == '1' {
			break
		}
		if c == ';' && i == len(raw)-2 && raw[i+1] == '1' {
			break
		}
		if c == ';' || c == '/' {
			c = '.'
		}
		b.WriteByte(c)
	}
	return b.String()
}

func TestLinuxISOName(t *testing.T) {
	for raw, want := range map[string]string{
		"META-DATA;1": "meta-data", "user-data;1": "user-data", "README.TXT;1": "readme.txt",
		"FOO.;1": "foo", "A;2": "a.2", "plain": "plain",
	} {
		if got := linuxISOName(raw); got != want {
			t.Errorf("linuxISOName(%q) = %q, want %q", raw, got, want)
		}
	}
}

func lookTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not on PATH (Debian: apt-get install %s): %v", name, map[string]string{
			"xorriso": "xorriso", "isoinfo": "genisoimage", "blkid": "util-linux", "cloud-init": "cloud-init",
		}[name], err)
	}
	return path
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

// quotedLines returns xorriso's single-quoted result lines, unquoted.
func quotedLines(out string) []string {
	var names []string
	for _, line := range strings.Split(out, "\n") {
		if len(line) >= 2 && line[0] == '\'' && line[len(line)-1] == '\'' {
			names = append(names, line[1:len(line)-1])
		}
	}
	return names
}

func TestISOWithXorriso(t *testing.T) {
	xorriso := lookTool(t, "xorriso")
	p, path := writeTestISO(t)
	want := namesOf(sortedFiles(p))
	wantPaths := make([]string, len(want))
	for i, n := range want {
		wantPaths[i] = "/" + n
	}

	// Default reading: Rock Ridge names if there were any, else the ISO
	// names with the version stripped.
	out := run(t, xorriso, "-indev", path, "-pvd_info", "-toc", "-find", "/", "-type", "f")
	t.Logf("xorriso -indev seed.iso -pvd_info -toc -find / -type f:\n%s", out)
	if got := quotedLines(out); !slices.Equal(got, wantPaths) {
		t.Errorf("xorriso lists %v, want %v", got, wantPaths)
	}
	if !hasLine(out, "Volume Id    : cidata") {
		t.Errorf("xorriso -pvd_info: no 'Volume Id    : cidata' line")
	}

	// The raw ISO 9660 identifiers, as Linux's isofs translates them when
	// there is no Rock Ridge (the case here: plain ECMA-119).
	raw := run(t, xorriso, "-read_fs", "ecma119", "-ecma119_map", "unmapped", "-indev", path, "-find", "/", "-type", "f")
	t.Logf("xorriso -read_fs ecma119 -ecma119_map unmapped -indev seed.iso -find / -type f:\n%s", raw)
	var linux []string
	for _, r := range quotedLines(raw) {
		linux = append(linux, "/"+linuxISOName(strings.TrimPrefix(r, "/")))
	}
	if !slices.Equal(linux, wantPaths) {
		t.Errorf("Linux (isofs map=normal) would show %v, want %v", linux, wantPaths)
	}

	// Extract as Linux would show the files (Rock Ridge or Joliet names
	// first, else ISO names lowercased as map=normal does) and compare.
	dst := filepath.Join(t.TempDir(), "x")
	run(t, xorriso, "-osirrox", "on", "-ecma119_map", "lowercase", "-indev", path, "-extract", "/", dst)
	var extracted []File
	for _, n := range dirNames(t, dst) {
		data, err := os.ReadFile(filepath.Join(dst, n))
		if err != nil {
			t.Fatal(err)
		}
		extracted = append(extracted, File{Name: n, Data: data})
	}
	assertSameFiles(t, extracted, sortedFiles(p))
}

func hasLine(out, want string) bool {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == want {
			return true
		}
	}
	return false
}

func TestISOWithIsoinfo(t *testing.T) {
	isoinfo := lookTool(t, "isoinfo")
	p, path := writeTestISO(t)
	info := run(t, isoinfo, "-d", "-i", path)
	t.Logf("isoinfo -d -i seed.iso:\n%s", info)
	if !hasLine(info, "Volume id: cidata") {
		t.Errorf("isoinfo -d: no 'Volume id: cidata' line")
	}
	list := run(t, isoinfo, "-f", "-i", path)
	t.Logf("isoinfo -f -i seed.iso:\n%s", list)
	var got []string
	for _, l := range strings.Fields(list) {
		got = append(got, linuxISOName(strings.TrimPrefix(l, "/")))
	}
	if want := namesOf(sortedFiles(p)); !slices.Equal(got, want) {
		t.Errorf("Linux-visible names %v, want %v", got, want)
	}
}

func TestISOWithBlkid(t *testing.T) {
	blkid := lookTool(t, "blkid")
	_, path := writeTestISO(t)
	for tag, want := range map[string]string{"LABEL": "cidata", "TYPE": "iso9660"} {
		// -p probes the file itself, bypassing the blkid cache.
		got := strings.TrimSpace(run(t, blkid, "-p", "-o", "value", "-s", tag, path))
		if got != want {
			t.Errorf("blkid -p -o value -s %s: %q, want %q", tag, got, want)
		}
	}
	if got := strings.TrimSpace(run(t, blkid, "-o", "value", "-s", "LABEL", path)); got != "cidata" {
		t.Errorf("blkid -o value -s LABEL: %q, want cidata", got)
	}
}

// cloudInitPython returns the interpreter that runs cloud-init, read from the
// script's #! line, since the python3 on PATH may not see its modules.
func cloudInitPython(t *testing.T) string {
	t.Helper()
	script, err := os.ReadFile(lookTool(t, "cloud-init"))
	if err != nil {
		t.Skipf("reading cloud-init script: %v", err)
	}
	first, _, _ := strings.Cut(string(script), "\n")
	fields := strings.Fields(strings.TrimPrefix(first, "#!"))
	if !strings.HasPrefix(first, "#!") || len(fields) == 0 {
		t.Skipf("cloud-init is not a script with a #! line")
	}
	return fields[0]
}

// TestISOWithCloudInit feeds the image's files, extracted under Linux's
// names, to cloud-init's own NoCloud code (pathprefix2dict and
// _merge_new_seed, what it runs on the mounted cidata volume) and checks what
// it makes of them, PyYAML and all. cloud-init's schema must accept the
// user-data.
func TestISOWithCloudInit(t *testing.T) {
	python := cloudInitPython(t)
	xorriso := lookTool(t, "xorriso")
	_, path := writeTestISO(t)
	dst := filepath.Join(t.TempDir(), "cidata")
	run(t, xorriso, "-osirrox", "on", "-ecma119_map", "lowercase", "-indev", path, "-extract", "/", dst)

	const script = `
import json, sys
from cloudinit import util
from cloudinit.sources.DataSourceNoCloud import _merge_new_seed
seeded = util.pathprefix2dict(sys.argv[1], required=["user-data", "meta-data"], optional=["vendor-data", "network-config"])
d = _merge_new_seed({"meta-data": {}}, seeded)
ud = d["user-data"].decode()
print(json.dumps({"meta-data": d["meta-data"], "network-config": d.get("network-config"),
                  "header": ud.splitlines()[0], "user-data": util.load_yaml(ud)}))
`
	out := run(t, python, "-c", script, dst)
	var got struct {
		MetaData      map[string]any `json:"meta-data"`
		NetworkConfig map[string]any `json:"network-config"`
		Header        string         `json:"header"`
		UserData      map[string]any `json:"user-data"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("cloud-init NoCloud read: %s", out)
	s := baseSpec(t)
	if got.MetaData["instance-id"] != s.InstanceID || got.MetaData["local-hostname"] != s.Hostname {
		t.Errorf("meta-data as cloud-init reads it: %v", got.MetaData)
	}
	if got.Header != "#cloud-config" {
		t.Errorf("user-data header %q", got.Header)
	}
	users, _ := got.UserData["users"].([]any)
	if len(users) != 2 || users[0] != "default" {
		t.Fatalf("users as cloud-init reads them: %v", got.UserData["users"])
	}
	u, _ := users[1].(map[string]any)
	if u["name"] != "imagegate" || u["lock_passwd"] != true || u["sudo"] != sudoAll || u["shell"] != "/bin/bash" {
		t.Errorf("user as cloud-init reads it: %v", u)
	}
	if got.UserData["ssh_pwauth"] != false || got.UserData["disable_root"] != true {
		t.Errorf("ssh_pwauth/disable_root as cloud-init reads them: %v / %v", got.UserData["ssh_pwauth"], got.UserData["disable_root"])
	}
	if nw, _ := got.NetworkConfig["network"].(map[string]any); nw == nil || nw["version"] != float64(2) {
		t.Errorf("network-config as cloud-init reads it: %v", got.NetworkConfig)
	}

	schema := run(t, "cloud-init", "schema", "--config-file", filepath.Join(dst, "user-data"))
	t.Logf("cloud-init schema: %s", schema)
}
