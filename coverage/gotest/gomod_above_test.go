package gotest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/hint"
)

// A directory with no go.mod of its own, below a broken go.mod it did not
// know about, gets an error that says where that file is and why it
// matters, not just the parse error of a file it never named.
func TestFindProjectNamesABrokenGoModAbove(t *testing.T) {
	top := t.TempDir()
	if err := os.WriteFile(filepath.Join(top, "go.mod"), []byte("module m\nrequire (\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(top, "notes")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := FindProject(context.Background(), sub)
	if err == nil {
		t.Fatal("FindProject accepted a broken go.mod above")
	}
	for _, want := range []string{sub + " has no go.mod or go.work of its own", filepath.Join(top, "go.mod") + ":3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if hint.Of(err) == "" {
		t.Errorf("no hint with %q", err)
	}
}
