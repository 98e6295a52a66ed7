package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCoverageWithoutGoGivesAHint runs the command in-process with a PATH
// that holds no go command (a script cannot: its PATH must find sprintkit).
func TestCoverageWithoutGoGivesAHint(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"sprintkit", "coverage", "--dir", dir}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	for _, want := range []string{
		"sprintkit: error: coverage: the go command was not found on PATH\n",
		"sprintkit: hint: install Go from https://go.dev/dl/",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q, want %q", stderr.String(), want)
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
	if _, err := os.Stat(filepath.Join(dir, ".sprintkit")); err == nil {
		t.Errorf(".sprintkit was created although nothing ran")
	}
}
