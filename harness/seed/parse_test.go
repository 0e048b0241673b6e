package seed

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A reproducer boots with the failed run's seed and a fresh key: Read of
// the files a Plan wrote, with another key, renders the same files but
// for the key's line.
func TestReadRendersTheSameSeedAgain(t *testing.T) {
	orig := Spec{InstanceID: "imagegate-20261202-1-d-x86_64", Hostname: "d-x86-64",
		User:          User{Name: "imagegate", AuthorizedKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl old"},
		ExtraUserData: "write_files:\n  - path: /etc/x\n    permissions: 0644\n    content: |\n      hi\nruncmd:\n  - [touch, /run/y]\n",
		NetworkConfig: []byte("version: 2\nethernets: {}\n")}
	p, err := orig.Plan()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range p.Files {
		os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644)
	}
	got, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.InstanceID != orig.InstanceID || got.Hostname != orig.Hostname || got.User.Name != "imagegate" || !bytes.Equal(got.NetworkConfig, orig.NetworkConfig) {
		t.Fatalf("read %+v", got)
	}
	got.User.AuthorizedKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl new"
	again, err := got.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.MetaData(), p.MetaData()) {
		t.Errorf("meta-data differs:\n%s\n---\n%s", again.MetaData(), p.MetaData())
	}
	if want := strings.Replace(string(p.UserData()), " old", " new", 1); string(again.UserData()) != want {
		t.Errorf("user-data differs beyond the key:\n%s\n---\n%s", again.UserData(), want)
	}
}

func TestReadRefusesWhatIsNotASeed(t *testing.T) {
	if _, err := Read(t.TempDir()); err == nil || !strings.Contains(err.Error(), "--seed-from wants the failed target's report folder") {
		t.Errorf("empty folder: %v", err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "meta-data"), []byte("instance-id: i\nlocal-hostname: h\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "user-data"), []byte("#cloud-config\nruncmd: []\n"), 0o644)
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "not a seed imagegate wrote") {
		t.Errorf("user-data without our user: %v", err)
	}
}
