package state

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnsureAddsExcludeOnce(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, ".git", "info"), 0o755); err != nil {
		t.Fatal(err)
	}
	excl := filepath.Join(root, ".git", "info", "exclude")
	if err := os.WriteFile(excl, []byte("# comment\n*.log"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := Ensure(root); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(excl)
	if got := strings.Count(string(b), "/.sprintkit/"); got != 1 {
		t.Fatalf("exclude has %d entries, want 1:\n%s", got, b)
	}
	if !strings.Contains(string(b), "*.log\n/.sprintkit/\n") {
		t.Fatalf("existing lines not kept or entry not on its own line:\n%s", b)
	}
	if fi, err := os.Stat(Dir(root)); err != nil || !fi.IsDir() {
		t.Fatalf("state dir missing: %v", err)
	}
}

func TestEnsureWithoutGit(t *testing.T) {
	root := t.TempDir()
	if _, err := Ensure(root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Ensure created .git in a directory that had none: %v", err)
	}
}

func TestWriteFileLeavesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.json")
	if err := os.WriteFile(name, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(name, func(w io.Writer) error {
		io.WriteString(w, "half")
		return errors.New("boom")
	})
	if err == nil || !strings.Contains(err.Error(), "out.json") {
		t.Fatalf("error should name the file, got %v", err)
	}
	if b, _ := os.ReadFile(name); string(b) != "old" {
		t.Fatalf("final file changed to %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary left behind: %v", entries)
	}
}

func TestWriteJSONRoundTrip(t *testing.T) {
	name := filepath.Join(t.TempDir(), "sub", "v.json")
	in := map[string]int{"a": 1}
	if err := WriteJSON(name, in); err != nil {
		t.Fatal(err)
	}
	var out map[string]int
	if err := ReadJSON(name, &out); err != nil {
		t.Fatal(err)
	}
	if out["a"] != 1 {
		t.Fatalf("got %v", out)
	}
}
