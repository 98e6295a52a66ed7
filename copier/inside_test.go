package copier

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// TestDeleteThroughSymlinkedAncestor reaches the source through a symlink
// to one of its ancestors: a delete copy into the directory that holds it
// would delete it, and is refused before anything is touched, in a dry run
// too.
func TestDeleteThroughSymlinkedAncestor(t *testing.T) {
	root := tempDir(t)
	proj := filepath.Join(root, "proj")
	testkit.WriteTree(t, proj, map[string]string{"src/keep.txt": "the source", "other.txt": "the destination's own"})
	if err := os.Symlink(proj, filepath.Join(root, "alias")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	tests := []struct {
		name     string
		src, dst string
		opts     Options
		want     error
	}{
		{"a delete copy of the source seen through the symlink into its parent", filepath.Join(root, "alias", "src"), proj, Options{Delete: true}, ErrSourceInside},
		{"the same copy as a dry run", filepath.Join(root, "alias", "src"), proj, Options{Delete: true, DryRun: true}, ErrSourceInside},
		{"a delete copy of the source into the symlink to its parent", filepath.Join(proj, "src"), filepath.Join(root, "alias"), Options{Delete: true, DryRun: true}, ErrSourceInside},
		{"a copy of the parent into the source seen through the symlink", proj, filepath.Join(root, "alias", "src", "copy"), Options{DryRun: true}, ErrIntoItself},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Copy(context.Background(), tc.src, tc.dst, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if b, err := os.ReadFile(filepath.Join(proj, "src", "keep.txt")); err != nil || string(b) != "the source" {
				t.Fatalf("the source after the copy: %q, %v", b, err)
			}
		})
	}
}
