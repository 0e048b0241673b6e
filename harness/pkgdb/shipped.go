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
	"sort"
	"strings"
)

// Shipped is the candidate image as shipped, read on the host without
// booting it (inspect.Image is one).
type Shipped interface {
	// Names lists a directory; a directory the image lacks is an error
	// that is fs.ErrNotExist.
	Names(ctx context.Context, dir string) ([]string, error)
	// ReadFiles calls each for every path in order with its content, or
	// with nil when the image has no such file.
	ReadFiles(ctx context.Context, paths []string, each func(path string, content io.Reader) error) error
}

// ShippedFiles is what VerifyDpkgShipped found.
type ShippedFiles struct {
	Checked  int       // package files whose md5 was compared
	Excluded int       // files absent on purpose (dpkg path-exclude)
	Problems []Problem // in dpkg --verify's words
}

// packageFile is one line of a package's md5sums, at the path it is
// installed at (after dpkg's diversions).
type packageFile struct{ pkg, path, md5 string }

// VerifyDpkgShipped does what `dpkg --verify` does for packaged files,
// on the host, from the image as shipped: every file a package's md5sums
// lists (at its diverted path if another package diverted it) must exist
// with that md5, unless dpkg's path-exclude filters kept it out. Conffiles
// are not in md5sums (their changes are the admin's business, as
// ParseDpkgVerify treats them). Reading and hashing the fixture's 380 MiB
// on the host takes ~4 s; `dpkg --verify` on one emulated vCPU took 14-35 s
// and filled ~290 MiB of the guest's page cache.
func VerifyDpkgShipped(ctx context.Context, img Shipped) (ShippedFiles, error) {
	var res ShippedFiles
	files, filters, err := dpkgShippedLists(ctx, img)
	if err != nil {
		return res, err
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.path
	}
	i := 0
	err = img.ReadFiles(ctx, paths, func(p string, r io.Reader) error {
		f := files[i]
		i++
		switch {
		case r == nil && filters.excluded(p):
			res.Excluded++
		case r == nil:
			res.Problems = append(res.Problems, Problem{Package: f.pkg, Detail: "missing     " + p})
		default:
			h := md5.New()
			if _, err := io.Copy(h, r); err != nil {
				return fmt.Errorf("read %s: %w", p, err)
			}
			res.Checked++
			if hex.EncodeToString(h.Sum(nil)) != f.md5 {
				res.Problems = append(res.Problems, Problem{Package: f.pkg, Detail: "??5??????   " + p})
			}
		}
		return nil
	})
	if err == nil && i != len(files) {
		err = fmt.Errorf("read %d of %d package files", i, len(files))
	}
	return res, err
}

// dpkgShippedLists reads every package's md5sums, the diversions and the
// path filters from the image.
func dpkgShippedLists(ctx context.Context, img Shipped) ([]packageFile, dpkgFilters, error) {
	const info = "/var/lib/dpkg/info"
	names, err := img.Names(ctx, info)
	if err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", info, err)
	}
	var sums []string
	for _, n := range names {
		if strings.HasSuffix(n, ".md5sums") {
			sums = append(sums, path.Join(info, n))
		}
	}
	if len(sums) == 0 {
		return nil, nil, fmt.Errorf("%s has no md5sums: nothing to verify against", info)
	}
	sort.Strings(sums)
	cfg, err := dpkgConfigFiles(ctx, img)
	if err != nil {
		return nil, nil, err
	}
	want := append(append([]string{"/var/lib/dpkg/diversions"}, cfg...), sums...)
	content := map[string]string{}
	err = img.ReadFiles(ctx, want, func(p string, r io.Reader) error {
		if r == nil {
			return nil
		}
		b, err := io.ReadAll(r)
		content[p] = string(b)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var cfgText strings.Builder
	for _, c := range cfg {
		cfgText.WriteString(content[c] + "\n")
	}
	div := parseDiversions(content["/var/lib/dpkg/diversions"])
	var files []packageFile
	for _, s := range sums {
		text, ok := content[s]
		if !ok {
			return nil, nil, fmt.Errorf("%s was listed but could not be read", s)
		}
		pkg, _, _ := strings.Cut(strings.TrimSuffix(path.Base(s), ".md5sums"), ":")
		listed, err := parseMD5Sums(pkg, text, div)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", s, err)
		}
		files = append(files, listed...)
	}
	return files, parseDpkgFilters(cfgText.String()), nil
}

// dpkgConfigFiles lists dpkg's configuration in the order dpkg reads it:
// dpkg.cfg.d/* by name (hidden files skipped), then dpkg.cfg.
func dpkgConfigFiles(ctx context.Context, img Shipped) ([]string, error) {
	const dir = "/etc/dpkg/dpkg.cfg.d"
	names, err := img.Names(ctx, dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	sort.Strings(names)
	var cfg []string
	for _, n := range names {
		if !strings.HasPrefix(n, ".") {
			cfg = append(cfg, path.Join(dir, n))
		}
	}
	return append(cfg, "/etc/dpkg/dpkg.cfg"), nil
}

// diversion is one entry of /var/lib/dpkg/diversions: files at a path go
// to another path, except the diverting package's own (":" diverts every
// package's).
type diversion struct{ to, by string }

// parseDiversions reads the diversions file: three lines per entry
// (from, to, diverting package).
func parseDiversions(text string) map[string]diversion {
	ls := strings.Split(strings.TrimRight(text, "\n"), "\n")
	div := map[string]diversion{}
	for i := 0; i+2 < len(ls); i += 3 {
		div[ls[i]] = diversion{to: ls[i+1], by: ls[i+2]}
	}
	return div
}

// parseMD5Sums reads one package's md5sums: "<32 hex>  <path without
// the leading />" per line.
func parseMD5Sums(pkg, text string, div map[string]diversion) ([]packageFile, error) {
	var files []packageFile
	for n, l := range lines(text) {
		if strings.TrimSpace(l) == "" {
			continue
		}
		sum, p, ok := strings.Cut(l, "  ")
		if !ok || len(sum) != 32 || p == "" {
			return nil, fmt.Errorf("line %d %q: want \"<md5>  <path>\"", n+1, l)
		}
		p = "/" + strings.TrimPrefix(p, "/")
		if d, ok := div[p]; ok && d.by != pkg {
			p = d.to
		}
		files = append(files, packageFile{pkg: pkg, path: p, md5: strings.ToLower(sum)})
	}
	return files, nil
}

// AuditShipped is m.Audit, with dpkg's file verification done on the host
// from img when it can be: dpkg --audit still runs in the guest (it judges
// the booted database), and when the image's package files all match,
// dpkg --verify does not run there. When the host finds anything, or
// cannot read the image (img nil, imgErr set, a root file system debugfs
// cannot read), dpkg --verify in the guest decides: a finding is always
// dpkg's own, so a host-side mistake can cost time, never reject an image.
// how says which was done, for the report. rpm always verifies in the guest.
func AuditShipped(ctx context.Context, m Manager, img Shipped, imgErr error) (probs []Problem, how string, err error) {
	d, ok := m.(dpkgManager)
	if !ok {
		probs, err = m.Audit(ctx)
		return probs, m.Name() + ": verified in the guest", err
	}
	if probs, err = d.audit(ctx); err != nil {
		return nil, "", err
	}
	why := "the image as shipped could not be read"
	if img != nil && imgErr == nil {
		res, err := VerifyDpkgShipped(ctx, img)
		switch {
		case err == nil && len(res.Problems) == 0:
			return probs, fmt.Sprintf("dpkg: %d package files of the image as shipped match their md5sums (%d left out by path-exclude), read on the host", res.Checked, res.Excluded), nil
		case err == nil:
			why = fmt.Sprintf("package files that differ in the image as shipped: %d, first %s", len(res.Problems), res.Problems[0].Detail)
		default:
			imgErr = err
		}
	}
	if imgErr != nil {
		why += ": " + imgErr.Error()
	}
	files, err := d.verify(ctx)
	return append(probs, files...), "dpkg --verify in the guest (" + why + ")", err
}
