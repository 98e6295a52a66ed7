package copier

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
	"golang.org/x/sys/unix"
)

// TestSymlinkXattrsAreKept copies a real tree whose symlinks carry trusted.*
// and security.* attributes (which Linux allows on symlinks; trusted.* only
// as root) and whose file carries user.* ones, and checks that the copy has
// every one, as cp -a and rsync -aX keep them.
func TestSymlinkXattrsAreKept(t *testing.T) {
	src, dst := filepath.Join(tempDir(t), "src"), filepath.Join(tempDir(t), "dst")
	testkit.WriteTree(t, src, map[string]string{"file.txt": "data"})
	link := filepath.Join(src, "link")
	if err := os.Symlink("file.txt", link); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{"link": {}, "file.txt": {}}
	for _, a := range []struct{ path, rel, name, value string }{
		{link, "link", "trusted.sprintkit", "on a symlink"},
		{link, "link", "security.sprintkit", "a label"},
		{filepath.Join(src, "file.txt"), "file.txt", "user.origin", "sprint"},
	} {
		if err := unix.Lsetxattr(a.path, a.name, []byte(a.value), 0); err != nil {
			if a.name == "trusted.sprintkit" {
				testkit.Missing(t, "this filesystem or user refuses %s on a symlink (%v): run as root on ext4, xfs, btrfs or tmpfs", a.name, err)
			}
			t.Logf("%s on %s refused here (%v): not checked", a.name, a.rel, err)
			continue
		}
		want[a.rel][a.name] = a.value
	}
	if _, err := Copy(context.Background(), src, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	for rel, attrs := range want {
		for name, value := range attrs {
			buf := make([]byte, 256)
			n, err := unix.Lgetxattr(filepath.Join(dst, rel), name, buf)
			if err != nil || string(buf[:n]) != value {
				t.Errorf("%s: %s = %q, %v; want %q", rel, name, buf[:max(n, 0)], err, value)
			}
		}
	}
	if target, err := os.Readlink(filepath.Join(dst, "link")); err != nil || target != "file.txt" {
		t.Errorf("the link points at %q, %v", target, err)
	}
}
