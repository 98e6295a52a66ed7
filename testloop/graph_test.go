package testloop

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// fixture is a module: a ← b ← c (c imports b imports a), d alone, e's
// tests import b, f's tests import e (but not e's tests), g is tested only
// from outside (x_test package).
var fixture = map[string]string{
	"go.mod":            "module example.com/m\n\ngo 1.22\n",
	"a/a.go":            "package a\n\nfunc A() int { return 1 }\n",
	"b/b.go":            "package b\n\nimport \"example.com/m/a\"\n\nfunc B() int { return a.A() }\n",
	"c/c.go":            "package c\n\nimport \"example.com/m/b\"\n\nfunc C() int { return b.B() }\n",
	"d/d.go":            "package d\n\nfunc D() int { return 4 }\n",
	"e/e.go":            "package e\n\nfunc E() int { return 5 }\n",
	"e/e_test.go":       "package e\n\nimport (\n\t\"testing\"\n\n\t\"example.com/m/b\"\n)\n\nfunc TestE(t *testing.T) { _ = b.B() }\n",
	"f/f.go":            "package f\n\nfunc F() int { return 6 }\n",
	"f/f_test.go":       "package f\n\nimport (\n\t\"testing\"\n\n\t\"example.com/m/e\"\n)\n\nfunc TestF(t *testing.T) { _ = e.E() }\n",
	"g/g.go":            "package g\n\nfunc G() int { return 7 }\n",
	"g/g_x_test.go":     "package g_test\n\nimport (\n\t\"testing\"\n\n\t\"example.com/m/a\"\n)\n\nfunc TestG(t *testing.T) { _ = a.A() }\n",
	"a/testdata/in.txt": "data\n",
}

func writeFixture(t *testing.T) string {
	t.Helper()
	return writeFiles(t, fixture)
}

// writeFiles writes a module's files into a new temporary directory and
// returns its real path.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		testkit.Missing(t, "no go command")
	}
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	return real
}

func TestAffectedFollowsImportersAndTheirTests(t *testing.T) {
	dir := writeFixture(t)
	g, err := LoadGraph(context.Background(), dir, []string{"GOFLAGS=-mod=mod", "GOPROXY=off"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		changed string
		want    string
	}{
		{"a change in the leaf runs it, its importers through others, and tests that import any of them", "a",
			"a b c e g"},
		{"a change in the middle runs it and what imports it", "b", "b c e"},
		{"a package nothing imports runs alone", "c", "c"},
		{"an unrelated package runs alone", "d", "d"},
		{"a package imported only by another package's tests runs those tests, not their importers' tests", "e", "e f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := g.Affected([]string{"example.com/m/" + tt.changed})
			for i, p := range got {
				got[i] = strings.TrimPrefix(p, "example.com/m/")
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("Affected(%s) = %v, want %s", tt.changed, got, tt.want)
			}
		})
	}
}

func TestPackageOfAFile(t *testing.T) {
	dir := writeFixture(t)
	g, err := LoadGraph(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		file string
		want string
	}{
		{"a Go file belongs to its directory's package", "b/b.go", "example.com/m/b"},
		{"a test file belongs to its package", "e/e_test.go", "example.com/m/e"},
		{"an external test file belongs to the package it tests", "g/g_x_test.go", "example.com/m/g"},
		{"test data belongs to the package above it", "a/testdata/in.txt", "example.com/m/a"},
		{"another file belongs to no package", "a/notes.md", ""},
		{"a Go file outside every package belongs to none", "tools/x.go", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := g.PackageOf(filepath.Join(dir, filepath.FromSlash(tt.file)))
			if got != tt.want {
				t.Errorf("PackageOf(%s) = %q, want %q", tt.file, got, tt.want)
			}
		})
	}
}

func TestGraphIsStaleWhenImportsOrModulesChange(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain on a fixture; go test without -short runs it")
	}
	tests := []struct {
		name  string
		edit  func(dir string) error
		file  string
		stale bool
	}{
		{"a change inside a function body keeps the graph", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "d/d.go"), []byte("package d\n\nfunc D() int { return 5 }\n"), 0o644)
		}, "d/d.go", false},
		{"a new import makes it stale", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "d/d.go"), []byte("package d\n\nimport \"example.com/m/a\"\n\nfunc D() int { return a.A() }\n"), 0o644)
		}, "d/d.go", true},
		{"a new Go file makes it stale", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "d/more.go"), []byte("package d\n"), 0o644)
		}, "d/more.go", true},
		{"a deleted Go file makes it stale", func(dir string) error {
			return os.Remove(filepath.Join(dir, "e/e_test.go"))
		}, "e/e_test.go", true},
		{"a go.mod change makes it stale", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.23\n"), 0o644)
		}, "go.mod", true},
		{"test data keeps the graph", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "a/testdata/in.txt"), []byte("more"), 0o644)
		}, "a/testdata/in.txt", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFixture(t)
			g, err := LoadGraph(context.Background(), dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.edit(dir); err != nil {
				t.Fatal(err)
			}
			if got := g.Stale([]string{filepath.Join(dir, filepath.FromSlash(tt.file))}); got != tt.stale {
				t.Errorf("Stale = %v, want %v", got, tt.stale)
			}
		})
	}
}
