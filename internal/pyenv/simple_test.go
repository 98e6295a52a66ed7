package pyenv

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

func TestSimpleIndexServesTheWheelsAsPEP503Says(t *testing.T) {
	dir := t.TempDir()
	whl := testkit.WriteWheel(t, dir, "Zope.Thing", "1.0", map[string]string{"zope_thing.py": ""})
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a distribution"), 0o644)
	b, _ := os.ReadFile(whl)
	sum := sha256.Sum256(b)
	url := loopbackIndex(t, dir)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	cases := []struct {
		name, path string
		code       int
		want       string
	}{
		{"the root lists each project by its normalized name", "", 200, `<a href="zope-thing/">zope-thing</a>`},
		{"a project's page links its files with their SHA-256", "zope-thing/", 200,
			`<a href="` + filepath.Base(whl) + `#sha256=` + hex.EncodeToString(sum[:]) + `">`},
		{"a name spelled otherwise redirects to the normalized one", "Zope_Thing/", 200, `#sha256=`},
		{"the file itself is served", "zope-thing/" + filepath.Base(whl), 200, "PK"},
		{"an unknown project is not found", "nosuchlib/", 404, "no such project"},
		{"a file that is no distribution is not served", "zope-thing/notes.txt", 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := get(tc.path)
			if code != tc.code || !strings.Contains(body, tc.want) {
				t.Errorf("GET %s: %d %q; want %d with %q", tc.path, code, body, tc.code, tc.want)
			}
		})
	}
}
