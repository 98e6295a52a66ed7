package copier

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// bindHelperEnv, when set, makes TestDeleteThroughBindMount the child that
// runs inside a mount namespace of its own: it names the fixture's root.
const bindHelperEnv = "SPRINTKIT_COPIER_BIND_ROOT"

// mountRefused is what the child prints when the kernel refuses the bind
// mount, so that the parent can skip (or fail under CI) with a message.
const mountRefused = "bind mount refused: "

// TestDeleteThroughBindMount shows the source under a second path with a
// real bind mount (in a mount namespace of its own, made by unshare -rm, so
// nothing is left mounted) and checks that no copy deletes or writes into
// its source through it, in a dry run too.
func TestDeleteThroughBindMount(t *testing.T) {
	if root := os.Getenv(bindHelperEnv); root != "" {
		bindMountCases(t, root)
		return
	}
	unshare := testkit.NeedTool(t, "unshare", "apt-get install util-linux")
	root := tempDir(t)
	testkit.WriteTree(t, filepath.Join(root, "proj"), map[string]string{
		"src/keep.txt": "the source",
		"other.txt":    "the destination's own",
	})
	for _, d := range []string{"view", "dst/mnt"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(unshare, "-rm", os.Args[0], "-test.run=^TestDeleteThroughBindMount$", "-test.v")
	cmd.Env = append(os.Environ(), bindHelperEnv+"="+root)
	out, err := cmd.CombinedOutput()
	if i := strings.Index(string(out), mountRefused); i >= 0 {
		testkit.Missing(t, "%s", strings.SplitN(string(out[i:]), "\n", 2)[0])
	}
	if err != nil && strings.Contains(string(out), "unshare: ") {
		testkit.Missing(t, "mounting is not permitted here: %s", strings.TrimSpace(string(out)))
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: TestDeleteThroughBindMount") {
		t.Fatalf("the copies in the mount namespace: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(filepath.Join(root, "proj", "src", "keep.txt")); err != nil || string(b) != "the source" {
		t.Fatalf("the source after the copies: %q, %v", b, err)
	}
}

// bindMountCases runs in the child: view is proj mounted a second time.
func bindMountCases(t *testing.T, root string) {
	proj, view := filepath.Join(root, "proj"), filepath.Join(root, "view")
	if err := syscall.Mount(proj, view, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf(mountRefused+"%s on %s: %v", proj, view, err)
	}
	tests := []struct {
		name     string
		src, dst string
		opts     Options
		want     error
	}{
		{"a delete copy of the source seen through the mount into the directory that holds it", filepath.Join(view, "src"), proj, Options{Delete: true}, ErrSourceInside},
		{"the same copy as a dry run", filepath.Join(view, "src"), proj, Options{Delete: true, DryRun: true}, ErrSourceInside},
		{"a delete copy of the source into the mount that shows its parent", filepath.Join(proj, "src"), view, Options{Delete: true}, ErrSourceInside},
		{"a copy of the directory into itself seen through the mount", proj, filepath.Join(view, "src", "copy"), Options{}, ErrIntoItself},
		{"the same copy as a dry run", proj, filepath.Join(view, "src", "copy"), Options{DryRun: true}, ErrIntoItself},
	}
	t.Run("a delete copy into a directory where the source is mounted once more", func(t *testing.T) {
		// dst/mnt shows proj/src; the source has no "mnt", so a delete
		// copy would remove dst/mnt with all it holds: the source.
		mnt := filepath.Join(root, "dst", "mnt")
		if err := syscall.Mount(filepath.Join(proj, "src"), mnt, "", syscall.MS_BIND, ""); err != nil {
			t.Skipf(mountRefused+"%s: %v", mnt, err)
		}
		defer syscall.Unmount(mnt, syscall.MNT_DETACH)
		_, err := Copy(context.Background(), filepath.Join(proj, "src"), filepath.Join(root, "dst"), Options{Delete: true})
		if !errors.Is(err, ErrSourceInside) {
			var fe *FileErrors
			if !errors.As(err, &fe) || len(fe.First) == 0 || !errors.Is(fe.First[0], ErrSourceInside) {
				t.Fatalf("err = %v, want the deletion of dst/mnt refused with ErrSourceInside", err)
			}
		}
		if b, err := os.ReadFile(filepath.Join(proj, "src", "keep.txt")); err != nil || string(b) != "the source" {
			t.Fatalf("the source after the copy: %q, %v", b, err)
		}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Copy(context.Background(), tc.src, tc.dst, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if b, err := os.ReadFile(filepath.Join(proj, "src", "keep.txt")); err != nil || string(b) != "the source" {
				t.Fatalf("the source after the copy: %q, %v", b, err)
			}
			if _, err := os.Stat(filepath.Join(proj, "src", "copy")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("something was written inside the source: %v", err)
			}
		})
	}
}
