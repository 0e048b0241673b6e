package seed

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/kdomanski/iso9660"

	"github.com/imagegate/imagegate/harness/atomicfile"
)

// volumeLabel is the volume identifier cloud-init's NoCloud source looks for.
const volumeLabel = "cidata"

// isoName matches the file names the ISO writer records unchanged (as
// "name;1"), so that Linux shows exactly the same name. 28 leaves room for
// ";1" within ISO 9660's 30-character file identifier.
var isoName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,27}$`)

// WriteISO writes p to path as an ISO 9660 image labelled "cidata" with the
// files at its root, mode 0644. It writes a temporary file in the same
// directory and renames it over path (atomicfile.Write), so path is either
// replaced whole or left as it was; the temporary file is removed on error.
func (p Plan) WriteISO(path string) error {
	if err := p.check(); err != nil {
		return err
	}
	image, err := p.render()
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, image, 0o644); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

// check rejects Plans that would not make a NoCloud seed whose names the
// guest sees unchanged.
func (p Plan) check() error {
	seen := map[string]bool{}
	for _, f := range p.Files {
		if !isoName.MatchString(f.Name) {
			return fmt.Errorf("seed: file name %q: want 1-28 of [a-z0-9_-], starting with a letter or digit", f.Name)
		}
		if seen[f.Name] {
			return fmt.Errorf("seed: file %q appears twice", f.Name)
		}
		seen[f.Name] = true
	}
	for _, name := range []string{metaDataName, userDataName} {
		if !seen[name] {
			return fmt.Errorf("seed: plan has no %s file (NoCloud needs it)", name)
		}
	}
	return nil
}

// render builds the image in memory. A seed is a few KiB; the library stages
// the files in a temporary directory of its own, removed before returning.
func (p Plan) render() (_ []byte, err error) {
	w, err := iso9660.NewWriter()
	if err != nil {
		return nil, fmt.Errorf("seed: creating ISO writer: %w", err)
	}
	defer func() {
		if cerr := w.Cleanup(); cerr != nil && err == nil {
			err = fmt.Errorf("seed: removing ISO staging directory: %w", cerr)
		}
	}()
	for _, f := range p.Files {
		if err := w.AddFile(bytes.NewReader(f.Data), f.Name); err != nil {
			return nil, fmt.Errorf("seed: adding %s to ISO: %w", f.Name, err)
		}
	}
	var b bytes.Buffer
	if err := w.WriteTo(&b, volumeLabel); err != nil {
		return nil, fmt.Errorf("seed: rendering ISO: %w", err)
	}
	return b.Bytes(), nil
}
