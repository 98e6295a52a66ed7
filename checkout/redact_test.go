package checkout

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

func wrapSentinel(which string) error {
	if which == "entry" {
		return fmt.Errorf("submodule update: %w", object.ErrEntryNotFound)
	}
	return fmt.Errorf("checkout: %w", plumbing.ErrObjectNotFound)
}

func TestRedact(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"a user and token in an https URL are both hidden", "https://user:ghp_tok@github.com/org/p.git", "https://***@github.com/org/p.git"},
		{"a token used as the user name is hidden", "https://ghp_tok@github.com/org/p.git", "https://***@github.com/org/p.git"},
		{"an http URL with a port keeps the port", "http://u:p@127.0.0.1:8080/p.git", "http://***@127.0.0.1:8080/p.git"},
		{"a URL without credentials is unchanged", "https://github.com/org/p.git", "https://github.com/org/p.git"},
		{"an ssh user stays and its password goes", "ssh://git:pw@host:22/org/p.git", "ssh://git:***@host:22/org/p.git"},
		{"an ssh URL with only a user is unchanged", "ssh://git@host/org/p.git", "ssh://git@host/org/p.git"},
		{"an scp-like address is unchanged", "git@github.com:org/p.git", "git@github.com:org/p.git"},
		{"a plain path is unchanged", "/srv/git/p.git", "/srv/git/p.git"},
		{"an @ in the path is not mistaken for credentials", "https://u:t@host/org/@p.git", "https://***@host/org/@p.git"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Redact(tc.in); got != tc.want {
				t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRedactText(t *testing.T) {
	url := "https://newcomer:tok3n-value@example.com/org/p.git"
	in := `Get "https://newcomer:***@example.com/org/p.git/info/refs": user newcomer token tok3n-value; also ` + url
	got := RedactText(in, url)
	for _, secret := range []string{"tok3n-value", "newcomer:"} {
		if strings.Contains(got, secret) {
			t.Errorf("RedactText left %q in %q", secret, got)
		}
	}
}

func TestDefaultDirAndTransport(t *testing.T) {
	cases := []struct{ url, dir, tr string }{
		{"https://github.com/org/project.git", "project", "https"},
		{"https://github.com/org/project/", "project", "https"},
		{"http://127.0.0.1:8080/project.git", "project", "http"},
		{"git@github.com:org/project.git", "project", "ssh"},
		{"ssh://git@host:22/org/project.git", "project", "ssh"},
		{"git://host/project.git", "project", "git"},
		{"file:///srv/git/project.git", "project", "file"},
		{"/srv/git/project.git", "project", "file"},
		{"/srv/git/project/.git", "project", "file"},
		{"../project", "project", "file"},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			if got := DefaultDir(tc.url); got != tc.dir {
				t.Errorf("DefaultDir = %q, want %q", got, tc.dir)
			}
			if got := Transport(tc.url); got != tc.tr {
				t.Errorf("Transport = %q, want %q", got, tc.tr)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  Project
	}{
		{"a go module reports its path and go line",
			map[string]string{"go.mod": "module example.com/m // the module\n\ngo 1.99\n\ntoolchain go1.99.1\n", "x/x.go": "package x"},
			Project{Go: true, Module: "example.com/m", GoVersion: "1.99", Toolchain: "go1.99.1", Modules: []string{"."}}},
		{"a workspace lists its modules and takes go.work's go line",
			map[string]string{"go.work": "go 1.23\n\nuse (\n\t./a\n\t\"./b\"\n)\n", "a/go.mod": "module a\n\ngo 1.21\n", "b/go.mod": "module b\n"},
			Project{GoWork: true, GoVersion: "1.23", Modules: []string{"a", "b"}}},
		{"pyproject.toml makes a python project", map[string]string{"pyproject.toml": "[project]\n"}, Project{Python: true}},
		{"setup.cfg makes a python project", map[string]string{"setup.cfg": ""}, Project{Python: true}},
		{"tests/test_*.py alone makes a python project", map[string]string{"tests/test_x.py": "def test(): pass\n"}, Project{Python: true}},
		{"a go.mod under testdata or vendor is not a module", map[string]string{"testdata/m/go.mod": "module t\n", "vendor/v/go.mod": "module v\n"}, Project{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tc.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				os.MkdirAll(filepath.Dir(p), 0o755)
				os.WriteFile(p, []byte(body), 0o644)
			}
			got, err := Detect(dir)
			if err != nil {
				t.Fatal(err)
			}
			got.Dir, got.Dirs = "", 0
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("Detect = %+v, want %+v", *got, tc.want)
			}
		})
	}
	t.Run("directories are counted except version control's", func(t *testing.T) {
		dir := t.TempDir()
		for _, d := range []string{".git/objects/aa", "a/b/c", "vendor/x", "node_modules/y"} {
			os.MkdirAll(filepath.Join(dir, d), 0o755)
		}
		p, _ := Detect(dir)
		// dir, a, a/b, a/b/c, vendor, vendor/x, node_modules, node_modules/y
		if p.Dirs != 8 {
			t.Errorf("Dirs = %d, want 8", p.Dirs)
		}
		if p.Kind() != "unknown" {
			t.Errorf("Kind = %q, want unknown", p.Kind())
		}
	})
}
