package pkgdb

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/imagegate/imagegate/harness/remote"
)

// fakeImage is a Shipped held in memory: path -> content.
type fakeImage struct {
	files map[string]string
	err   error // returned by ReadFiles, if set
}

func (f fakeImage) Names(_ context.Context, dir string) ([]string, error) {
	var names []string
	for p := range f.files {
		if path.Dir(p) == dir {
			names = append(names, path.Base(p))
		}
	}
	if names == nil {
		return nil, fmt.Errorf("%s: %w", dir, fs.ErrNotExist)
	}
	sort.Strings(names)
	return names, nil
}

func (f fakeImage) ReadFiles(_ context.Context, paths []string, each func(string, io.Reader) error) error {
	if f.err != nil {
		return f.err
	}
	for _, p := range paths {
		var r io.Reader
		if c, ok := f.files[p]; ok {
			r = strings.NewReader(c)
		}
		if err := each(p, r); err != nil {
			return err
		}
	}
	return nil
}

func sum(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }

// shippedDebian is a merged-/usr image in the fixture's shape: two
// packages, one of them multi-arch, docs left out by path-exclude, and
// dash's diversion of /bin/sh.
func shippedDebian() map[string]string {
	return map[string]string{
		"/var/lib/dpkg/info/openssh-server.md5sums": sum("sshd") + "  usr/sbin/sshd\n" + sum("doc") + "  usr/share/doc/openssh-server/README\n",
		"/var/lib/dpkg/info/libc6:amd64.md5sums":    sum("libc") + "  lib/x86_64-linux-gnu/libc.so.6\n\n",
		"/var/lib/dpkg/info/dash.md5sums":           sum("dash") + "  bin/dash\n" + sum("own") + "  bin/sh.distrib\n",
		"/var/lib/dpkg/info/bash.md5sums":           sum("bash") + "  bin/sh\n",
		"/var/lib/dpkg/info/openssh-server.list":    "/usr/sbin/sshd\n",
		"/var/lib/dpkg/diversions":                  "/bin/sh\n/bin/sh.distrib\ndash\n",
		"/etc/dpkg/dpkg.cfg.d/excludes":             "path-exclude=/usr/share/doc/*\n",
		"/etc/dpkg/dpkg.cfg.d/.hidden":              "path-exclude=/usr/sbin/*\n",
		"/etc/dpkg/dpkg.cfg":                        "# no filters\n",
		"/usr/sbin/sshd":                            "sshd",
		"/lib/x86_64-linux-gnu/libc.so.6":           "libc",
		"/bin/dash":                                 "dash",
		"/bin/sh":                                   "dash's own",
		"/bin/sh.distrib":                           "bash",
	}
}

func TestVerifyDpkgShipped(t *testing.T) {
	ctx := context.Background()
	img := shippedDebian()
	res, err := VerifyDpkgShipped(ctx, fakeImage{files: img})
	if err != nil || len(res.Problems) != 1 || res.Checked != 5 || res.Excluded != 1 {
		t.Fatalf("clean image: %+v, %v", res, err)
	}
	// dash diverts /bin/sh, so bash's /bin/sh is checked at /bin/sh.distrib
	// (it matches); dash's own sh.distrib line is not diverted: it differs.
	if p := res.Problems[0]; p.Package != "dash" || p.Detail != "??5??????   /bin/sh.distrib" {
		t.Errorf("dash's own file: %+v", p)
	}

	img["/var/lib/dpkg/info/dash.md5sums"] = sum("dash") + "  bin/dash\n"
	img["/usr/sbin/sshd"] = "patched"
	delete(img, "/lib/x86_64-linux-gnu/libc.so.6")
	delete(img, "/var/lib/dpkg/diversions")
	res, err = VerifyDpkgShipped(ctx, fakeImage{files: img})
	var got []string
	for _, p := range res.Problems {
		got = append(got, p.Package+": "+p.Detail)
	}
	want := []string{"bash: ??5??????   /bin/sh", "libc6: missing     /lib/x86_64-linux-gnu/libc.so.6", "openssh-server: ??5??????   /usr/sbin/sshd"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("damaged image: %q, %v; want %q", got, err, want)
	}

	for name, bad := range map[string]fakeImage{
		"no dpkg database":  {files: map[string]string{"/etc/os-release": "ID=x"}},
		"no md5sums":        {files: map[string]string{"/var/lib/dpkg/info/a.list": "/a\n"}},
		"a bad md5sums":     {files: map[string]string{"/var/lib/dpkg/info/a.md5sums": "not a sum\n"}},
		"an unreadable one": {files: shippedDebian(), err: errors.New("debugfs: short read")},
	} {
		if _, err := VerifyDpkgShipped(ctx, bad); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

// TestAuditShipped: the guest's dpkg --verify runs only when the host
// could not say the image is clean, and then its answer is the finding.
func TestAuditShipped(t *testing.T) {
	ctx := context.Background()
	clean := shippedDebian()
	clean["/var/lib/dpkg/info/dash.md5sums"] = sum("dash") + "  bin/dash\n"
	damaged := shippedDebian()
	damaged["/var/lib/dpkg/info/dash.md5sums"] = clean["/var/lib/dpkg/info/dash.md5sums"]
	damaged["/usr/sbin/sshd"] = "patched"
	verified := failed(1, "??5??????   /usr/sbin/sshd\n"+dpkgFilterMarker+"\n", "")
	for _, c := range []struct {
		name    string
		img     Shipped
		imgErr  error
		verify  remote.Result
		wantRan []string
		want    int
		how     string
	}{
		{"clean on the host", fakeImage{files: clean}, nil, ok(""), []string{DpkgAuditCommand}, 0, "dpkg: 4 package files of the image as shipped match"},
		{"damaged: dpkg confirms", fakeImage{files: damaged}, nil, verified, []string{DpkgAuditCommand, DpkgVerifyCommand}, 1, "differ in the image as shipped: 1, first ??5??????   /usr/sbin/sshd"},
		{"damaged: dpkg in the guest disagrees", fakeImage{files: damaged}, nil, ok(dpkgFilterMarker + "\n"), []string{DpkgAuditCommand, DpkgVerifyCommand}, 0, "dpkg --verify in the guest"},
		{"unreadable image", nil, errors.New("not ext4"), ok(""), []string{DpkgAuditCommand, DpkgVerifyCommand}, 0, "could not be read: not ext4"},
		{"host read fails", fakeImage{files: clean, err: errors.New("short read")}, nil, ok(""), []string{DpkgAuditCommand, DpkgVerifyCommand}, 0, "short read"},
	} {
		r := &fakeRunner{results: map[string]remote.Result{DpkgAuditCommand: ok(""), DpkgVerifyCommand: c.verify}}
		probs, how, err := AuditShipped(ctx, NewDpkg(r), c.img, c.imgErr)
		if err != nil || len(probs) != c.want || !strings.Contains(how, c.how) || !slices.Equal(r.commands(), c.wantRan) {
			t.Errorf("%s: %d problems, %q, %v, ran %q", c.name, len(probs), how, err, r.commands())
		}
	}
	r := &fakeRunner{results: map[string]remote.Result{DpkgAuditCommand: failed(2, "", "dpkg: error: lock")}}
	if _, _, err := AuditShipped(ctx, NewDpkg(r), fakeImage{files: clean}, nil); err == nil {
		t.Error("dpkg --audit that could not run: want an error")
	}
}
