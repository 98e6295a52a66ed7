package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCopyJSONCarriesANonUTF8NameExactly copies a file whose name is
// Latin-1 bytes, not UTF-8 (which Linux allows): the JSON line's "path" is
// only readable (U+FFFD where the bytes were), and "path_bytes" holds the
// name exactly; a UTF-8 name has no "path_bytes".
func TestCopyJSONCarriesANonUTF8NameExactly(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "dst")
	const name = "caf\xe9.txt"
	for _, n := range []string{name, "plain.txt"} {
		if err := os.WriteFile(filepath.Join(src, n), []byte("x"), 0o644); err != nil {
			t.Skipf("this filesystem refuses the name %q: %v", n, err)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"sprintkit", "copy", "--format", "json", src, dst}, &stdout, &stderr); code != 0 {
		t.Fatalf("copy exited %d: %s", code, stderr.String())
	}
	got := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var ev struct {
			Event     string  `json:"event"`
			Path      string  `json:"path"`
			PathBytes *[]byte `json:"path_bytes"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if ev.Event != "copied" || ev.Path == "." {
			continue
		}
		switch {
		case ev.Path == "plain.txt" && ev.PathBytes == nil:
			got["plain"] = true
		case ev.PathBytes != nil && string(*ev.PathBytes) == name && ev.Path == "caf\uFFFD.txt":
			got["latin1"] = true
		default:
			t.Errorf("unexpected event %s", line)
		}
	}
	if !got["plain"] || !got["latin1"] {
		t.Errorf("events seen %v, want the plain name without path_bytes and the Latin-1 one with it:\n%s", got, stdout.String())
	}
	if _, err := os.Stat(filepath.Join(dst, name)); err != nil {
		t.Errorf("the copy lacks the Latin-1 name: %v", err)
	}
}
