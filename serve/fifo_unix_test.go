//go:build unix

package serve

import (
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/image"
)

// TestAFIFOInTheImageIsRefusedWithoutHanging plants named pipes where serve
// reads files (a report page, a module zip, a module's version list) while
// it runs: each request is answered 404 at once instead of hanging in the
// open, which would wait for a writer that never comes.
func TestAFIFOInTheImageIsRefusedWithoutHanging(t *testing.T) {
	img := fixtureImage(t)
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	proxy := filepath.Join(img, filepath.FromSlash(image.ProxyDir))
	tests := []struct{ name, fifo, path string }{
		{"a report page", filepath.Join(img, filepath.FromSlash(image.ReportDir), "pipe.html"), "report/pipe.html"},
		{"a module zip", filepath.Join(proxy, "example.com/greet/@v/v9.9.9.zip"), "mod/example.com/greet/@v/v9.9.9.zip"},
		{"a module's version list", filepath.Join(proxy, "example.com/greet/@v/list"), "mod/example.com/greet/@v/list"},
	}
	client := &http.Client{Timeout: 5 * time.Second} // generous: the point is "answered"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			syscall.Unlink(tc.fifo)
			if err := syscall.Mkfifo(tc.fifo, 0o644); err != nil {
				t.Fatal(err)
			}
			resp, err := client.Get(url + tc.path)
			if err != nil {
				t.Fatalf("GET /%s (a FIFO): %v", tc.path, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET /%s (a FIFO): %d, want 404", tc.path, resp.StatusCode)
			}
		})
	}
}
