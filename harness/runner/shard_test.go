package runner

import (
	"fmt"
	"testing"

	"github.com/imagegate/imagegate/harness/matrix"
)

func TestShardPartitions(t *testing.T) {
	var images []matrix.Image
	for i := 0; i < 7; i++ {
		images = append(images, matrix.Image{Name: fmt.Sprintf("img%d", 6-i), Arch: "x86_64"})
	}
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		sh, err := ParseShard(fmt.Sprintf("%d/3", i))
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range sh.Apply(images) {
			seen[im.ID()]++
		}
	}
	if len(seen) != 7 {
		t.Errorf("shards cover %d of 7 targets", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s in %d shards", id, n)
		}
	}
	a, b := Shard{2, 3}.Apply(images), Shard{2, 3}.Apply(images[1:])
	if len(a) == 0 || a[0].ID() != "img1/x86_64" {
		t.Errorf("shard 2/3 = %v", a)
	}
	_ = b
}

func TestParseShardBad(t *testing.T) {
	for _, s := range []string{"0/2", "3/2", "1/0", "a/b", "1-2", "1/2x"} {
		if _, err := ParseShard(s); err == nil || !IsUsage(err) {
			t.Errorf("ParseShard(%q) = %v; want usage error", s, err)
		}
	}
}
