package project

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

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
		{"tests/*_test.py makes a python project too", map[string]string{"tests/x_test.py": "def test(): pass\n"}, Project{Python: true}},
		{"a test_*.py outside a tests directory does not", map[string]string{"src/pkg/test_x.py": "def test(): pass\n"}, Project{}},
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

func TestReadGoModErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"a go.mod without a module line says so", "go 1.22\n", "no module line"},
		{"a malformed line is named with its line number", "module m\n\ngo 1.22\nrequire (\n", "go.mod:4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "go.mod"), []byte(tt.body), 0o644)
			_, err := ReadGoMod(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ReadGoMod = %v, want an error containing %q", err, tt.want)
			}
			if _, err := Detect(dir); err == nil {
				t.Errorf("Detect accepted the broken go.mod")
			}
		})
	}
	if _, err := ReadGoMod(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadGoMod of a directory without go.mod = %v, want fs.ErrNotExist", err)
	}
}

func TestRoot(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module m\n"), 0o644)
	sub := filepath.Join(dir, "a", "b")
	os.MkdirAll(sub, 0o755)
	if root, kind := Root(sub); root != dir || kind != KindGo {
		t.Errorf("Root(inside a module) = %s, %q; want %s, go", root, kind, dir)
	}
	py := t.TempDir()
	os.WriteFile(filepath.Join(py, "setup.py"), nil, 0o644)
	if root, kind := Root(py); root != py || kind != KindPython {
		t.Errorf("Root(python) = %s, %q", root, kind)
	}
}
