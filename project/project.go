// Package project is sprintkit's one model of a checkout: what kind of
// project it is (a Go module, nested modules, a go.work workspace, a Python
// project), its go.mod and go.work as golang.org/x/mod reads them, and the
// directory a watcher watches. Every command and engine asks here; none
// parses go.mod or guesses the kind on its own.
package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"
)

// GoMod is what sprintkit needs from a go.mod.
type GoMod struct {
	Module    string // module path
	Go        string // the go line ("1.22", "1.22.3"); "" when absent
	Toolchain string // the toolchain line ("go1.22.3"); "" when absent
}

// ReadGoMod reads dir/go.mod with golang.org/x/mod/modfile, as strictly as
// the go command reads its main module. The error wraps fs.ErrNotExist when there is no go.mod, and
// names the file and line when it cannot be parsed.
func ReadGoMod(dir string) (GoMod, error) {
	name := filepath.Join(dir, "go.mod")
	b, err := os.ReadFile(name)
	if err != nil {
		return GoMod{}, err
	}
	f, err := modfile.Parse(name, b, nil)
	if err != nil {
		return GoMod{}, fmt.Errorf("parse %w", err) // modfile names file:line
	}
	if f.Module == nil || f.Module.Mod.Path == "" {
		return GoMod{}, fmt.Errorf("parse %s: no module line", name)
	}
	g := GoMod{Module: f.Module.Mod.Path}
	if f.Go != nil {
		g.Go = f.Go.Version
	}
	if f.Toolchain != nil {
		g.Toolchain = f.Toolchain.Name
	}
	return g, nil
}

// GoWork is what sprintkit needs from a go.work.
type GoWork struct {
	Go        string
	Toolchain string
	// Use lists the workspace's module directories, relative to the
	// go.work's directory, slash-separated and cleaned ("." for its own).
	Use []string
}

// ReadGoWork reads dir/go.work with golang.org/x/mod/modfile. The error
// wraps fs.ErrNotExist when there is none.
func ReadGoWork(dir string) (GoWork, error) {
	name := filepath.Join(dir, "go.work")
	b, err := os.ReadFile(name)
	if err != nil {
		return GoWork{}, err
	}
	f, err := modfile.ParseWork(name, b, nil)
	if err != nil {
		return GoWork{}, fmt.Errorf("parse %w", err)
	}
	var w GoWork
	if f.Go != nil {
		w.Go = f.Go.Version
	}
	if f.Toolchain != nil {
		w.Toolchain = f.Toolchain.Name
	}
	for _, u := range f.Use {
		w.Use = append(w.Use, filepath.ToSlash(filepath.Clean(u.Path)))
	}
	return w, nil
}

// IsPython reports whether dir is a Python project: pyproject.toml,
// setup.py or setup.cfg at its top, or pytest's test files (test_*.py,
// *_test.py) in a tests/ or test/ directory at its top or one level below
// it. The one rule for detection, the runner and watch-test.
func IsPython(dir string) bool {
	for _, f := range []string{"pyproject.toml", "setup.py", "setup.cfg"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	for _, t := range []string{"tests", "test"} {
		for _, sub := range []string{"", "*"} {
			for _, pat := range []string{"test_*.py", "*_test.py"} {
				if m, _ := filepath.Glob(filepath.Join(dir, t, sub, pat)); len(m) > 0 {
					return true
				}
			}
		}
	}
	return false
}

// Kinds of project for Root.
const (
	KindGo     = "go"
	KindPython = "python"
)

// Root returns the directory a watcher watches for dir, and its kind: dir
// itself when it holds go.mod, go.work or a Python project, else the
// nearest directory above it with go.work, else with go.mod (run from
// inside a module, the whole module), else dir with kind "".
func Root(dir string) (root, kind string) {
	switch {
	case exists(filepath.Join(dir, "go.mod")) || exists(filepath.Join(dir, "go.work")):
		return dir, KindGo
	case IsPython(dir):
		return dir, KindPython
	}
	for _, name := range []string{"go.work", "go.mod"} {
		for d := dir; ; {
			if exists(filepath.Join(d, name)) {
				return d, KindGo
			}
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
	return dir, ""
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

func notExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
