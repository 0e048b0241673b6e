package libvirt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"
)

// On a remote host, every file a guest needs (the candidate, the seed, a
// kernel and initrd, the overlay, the firmware variables) is a volume of
// one directory storage pool, uploaded through libvirt's storage streams:
// the run needs no shell, no scp and no shared file system there. Each
// guest's own volume's name starts with the domain's name, so destroying
// the domain by name (DestroyByName, also for another run's leftovers)
// finds and removes everything of it; what guests boot from is shared
// content, uploaded once and removed with its last user (volcache.go).

const (
	poolName = "imagegate"
	poolDir  = "/var/lib/libvirt/images/imagegate"
)

// pool returns imagegate's storage pool on the host, creating it (a
// transient directory pool) when it is not there.
func pool(ctx context.Context, lv *golibvirt.Libvirt) (golibvirt.StoragePool, error) {
	var p golibvirt.StoragePool
	err := call(ctx, time.Minute, func() error {
		var err error
		if p, err = lv.StoragePoolLookupByName(poolName); err == nil {
			if active, _ := lv.StoragePoolIsActive(p); active == 0 {
				err = lv.StoragePoolCreate(p, golibvirt.StoragePoolCreateWithBuild)
			}
			return err
		}
		x := fmt.Sprintf("<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>", poolName, poolDir)
		p, err = lv.StoragePoolCreateXML(x, golibvirt.StoragePoolCreateWithBuild)
		if err != nil && strings.Contains(err.Error(), "already exists") { // made by a parallel guest just now
			p, err = lv.StoragePoolLookupByName(poolName)
		}
		return err
	})
	if err != nil {
		return p, fmt.Errorf("storage pool %s (%s) on the libvirt host: %w", poolName, poolDir, err)
	}
	return p, nil
}

// volumeXML is a volume of the given name, size and format.
func volumeXML(name string, bytes uint64, format, backing, backingFormat string) string {
	x := fmt.Sprintf("<volume><name>%s</name><capacity unit='bytes'>%d</capacity><allocation>0</allocation><target><format type='%s'/></target>", name, bytes, format)
	if backing != "" {
		x += fmt.Sprintf("<backingStore><path>%s</path><format type='%s'/></backingStore>", backing, backingFormat)
	}
	return x + "</volume>"
}

// upload copies a local file into a new volume named name and returns the
// volume's path on the host. The volume is raw to libvirt (the bytes are
// the file's, whatever its format).
func upload(ctx context.Context, lv *golibvirt.Libvirt, p golibvirt.StoragePool, name, local string) (string, error) {
	f, err := os.Open(local)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	size := uint64(st.Size())
	var path string
	err = call(ctx, 30*time.Minute, func() error {
		v, err := lv.StorageVolCreateXML(p, volumeXML(name, size, "raw", "", ""), 0)
		if volError(err, golibvirt.ErrStorageVolExist) {
			return errVolumeExists
		}
		if err != nil {
			return err
		}
		if err := lv.StorageVolUpload(v, f, 0, size, 0); err != nil {
			lv.StorageVolDelete(v, 0) // no half volume that others would wait for
			return err
		}
		path, err = lv.StorageVolGetPath(v)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("upload %s to the libvirt host as volume %s: %w", local, name, err)
	}
	return path, nil
}

// overlayVolume makes a qcow2 volume backed by the uploaded candidate, of
// the candidate's virtual size unless diskGiB asks for more.
func overlayVolume(ctx context.Context, lv *golibvirt.Libvirt, p golibvirt.StoragePool, name, backing, format string, bytes uint64) (string, error) {
	var path string
	err := call(ctx, 5*time.Minute, func() error {
		v, err := lv.StorageVolCreateXML(p, volumeXML(name, bytes, "qcow2", backing, format), 0)
		if err != nil {
			return err
		}
		path, err = lv.StorageVolGetPath(v)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("overlay volume %s on the libvirt host: %w", name, err)
	}
	return path, nil
}

// download copies a volume (by its path on the host) into a local file.
func download(ctx context.Context, lv *golibvirt.Libvirt, path, local string) error {
	f, err := os.Create(local)
	if err != nil {
		return err
	}
	err = call(ctx, 30*time.Minute, func() error {
		v, err := lv.StorageVolLookupByPath(path)
		if err != nil {
			return err
		}
		return lv.StorageVolDownload(v, f, 0, 0, 0)
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("download volume %s from the libvirt host: %w", path, err)
	}
	return nil
}

// deleteVolumes removes every volume of the pool whose name starts with
// prefix (after a refresh, so files libvirt made itself, such as firmware
// variables, are seen), then the cached content no guest uses any more. A
// host without the pool has nothing to remove.
func deleteVolumes(lv *golibvirt.Libvirt, prefix string) error {
	p, err := lv.StoragePoolLookupByName(poolName)
	if golibvirt.IsNotFound(err) || volError(err, golibvirt.ErrNoStoragePool) {
		return nil
	}
	if err != nil {
		return err
	}
	if active, _ := lv.StoragePoolIsActive(p); active == 0 {
		return nil
	}
	return destroyVolumes(lvStore{ctx: context.Background(), lv: lv, p: p}, prefix)
}

// lvStore is the pool as the upload cache's volumeStore.
type lvStore struct {
	ctx context.Context
	lv  *golibvirt.Libvirt
	p   golibvirt.StoragePool
}

func (s lvStore) upload(name, local string) (string, error) {
	return upload(s.ctx, s.lv, s.p, name, local)
}

func (s lvStore) mark(name string) error {
	return call(s.ctx, time.Minute, func() error {
		_, err := s.lv.StorageVolCreateXML(s.p, volumeXML(name, 0, "raw", "", ""), 0)
		if volError(err, golibvirt.ErrStorageVolExist) {
			return errVolumeExists
		}
		return err
	})
}

func (s lvStore) info(name string) (path string, alloc uint64, err error) {
	err = call(s.ctx, time.Minute, func() error {
		v, err := s.lv.StorageVolLookupByName(s.p, name)
		if volError(err, golibvirt.ErrNoStorageVol) {
			return errNoVolume
		}
		if err == nil {
			_, _, alloc, err = s.lv.StorageVolGetInfo(v)
		}
		if err == nil {
			path, err = s.lv.StorageVolGetPath(v)
		}
		return err
	})
	return path, alloc, err
}

func (s lvStore) remove(name string) error {
	v, err := s.lv.StorageVolLookupByName(s.p, name)
	if err == nil {
		err = s.lv.StorageVolDelete(v, 0)
	}
	if err != nil && !volError(err, golibvirt.ErrNoStorageVol) {
		return err
	}
	return nil
}

func (s lvStore) names() ([]string, error) {
	if err := s.lv.StoragePoolRefresh(s.p, 0); err != nil {
		return nil, fmt.Errorf("refresh storage pool %s: %w", poolName, err)
	}
	return s.lv.StoragePoolListVolumes(s.p, 16384) // libvirt's limit per call
}

// volError tells whether err is libvirt's error code.
func volError(err error, code golibvirt.ErrorNumber) bool {
	var e golibvirt.Error
	return errors.As(err, &e) && e.Code == uint32(code)
}

// virtualSize is a disk image's virtual size in bytes (qemu-img info).
func virtualSize(ctx context.Context, path, format string) (uint64, error) {
	out, err := exec.CommandContext(ctx, "qemu-img", "info", "--output=json", "-f", format, path).Output()
	if err != nil {
		return 0, fmt.Errorf("qemu-img info %s: %w", path, err)
	}
	var info struct {
		VirtualSize uint64 `json:"virtual-size"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		return 0, fmt.Errorf("qemu-img info %s: %w", path, err)
	}
	return info.VirtualSize, nil
}
