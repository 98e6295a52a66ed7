package quickopen

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFileAndCreateAsOsDoes(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("0123456789", 100_000) // more than one read
	for _, tc := range []struct {
		name    string
		content string
		before  string // an existing file's content, truncated by Create
	}{
		{"empty", "", ""},
		{"small over a larger file", "package p\n", strings.Repeat("x", 4096)},
		{"large", big, "old"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.WriteFile(p, []byte(tc.before), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := Create(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(tc.content); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.content {
				t.Errorf("read %d bytes, want the %d written", len(got), len(tc.content))
			}
		})
	}
	if _, err := ReadFile(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("reading a missing file: %v, want not exist", err)
	}
}
