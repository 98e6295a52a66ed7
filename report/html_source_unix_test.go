//go:build unix

package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A named pipe where a source should be would block a read forever: the
// report says it is not a regular file instead of opening it.
func TestHTMLDoesNotOpenANamedPipeInTheCheckout(t *testing.T) {
	root := t.TempDir()
	if err := unix.Mkfifo(filepath.Join(root, "pipe.go"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	must(t, os.WriteFile(filepath.Join(root, "ok.go"), []byte("package ok\n"), 0o644))
	r := oneFileResult(root, "pipe.go", 1)
	dir := writeSite(t, r, nil, HTMLOptions{})
	page := readPages(t, dir)[pageOfRel(t, dir, "pipe.go")]
	if !strings.Contains(page, "The source is not available: pipe.go is not a regular file") {
		t.Errorf("the page of a named pipe does not say so:\n%s", page)
	}
}
