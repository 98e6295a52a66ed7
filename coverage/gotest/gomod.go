package gotest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/proc"
	"github.com/sprintkit/sprintkit/project"
)

// Finding the Go modules of a checkout
//
// FindProject looks, in order, for:
//
//  1. a go.work in the directory: its `use` modules, tested together in
//     one `go test` run from the workspace root;
//  2. go.mod files in the directory and below it (skipping vendor,
//     testdata, node_modules and directories starting with "." or "_"): one
//     module, or several nested modules, each tested from its own directory;
//  3. a go.work or go.mod in a parent directory: the enclosing workspace or
//     module, as `go` itself would find it.
//
// A directory with none of these is not a Go project: ErrNotGoModule.

// ErrNotGoModule is returned for a directory with no go.mod or go.work in it,
// below it or above it.
var ErrNotGoModule = errors.New("not a Go module")

// ErrNoGo is returned when the go command is not on PATH.
var ErrNoGo = errors.New("the go command was not found on PATH")

// Module is one module of a Go project.
type Module struct {
	Path string // module path from go.mod
	Dir  string // absolute directory holding go.mod
}

// Project is the set of modules sprintkit measures together.
type Project struct {
	Root      string // absolute directory: the workspace, the top module, or the directory asked for
	Workspace string // absolute path of go.work, or ""
	Modules   []Module
}

// Name is the project's name: the module path of the module at Root, else
// the only module's path, else Root's base name.
func (p *Project) Name() string {
	for _, m := range p.Modules {
		if m.Dir == p.Root {
			return m.Path
		}
	}
	if len(p.Modules) == 1 {
		return p.Modules[0].Path
	}
	return filepath.Base(p.Root)
}

// FindProject finds the Go modules of dir as described above.
func FindProject(ctx context.Context, dir string) (*Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("find Go modules in %s: %w", dir, err)
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("find Go modules in %s: %w", dir, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("find Go modules in %s: not a directory", dir)
	}
	if p, err := workspaceAt(ctx, abs); p != nil || err != nil {
		return p, err
	}
	mods, err := modulesBelow(abs)
	if err != nil {
		return nil, err
	}
	if len(mods) > 0 {
		return &Project{Root: abs, Modules: mods}, nil
	}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		p, err := workspaceAt(ctx, d)
		if p != nil {
			return p, nil
		}
		if err != nil {
			return nil, above(dir, err)
		}
		if m, ok, err := readModule(d); err != nil {
			return nil, above(dir, err)
		} else if ok {
			return &Project{Root: d, Modules: []Module{m}}, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return nil, fmt.Errorf("%w: looked for go.work and go.mod in %s, below it and above it, and found none", ErrNotGoModule, dir)
}

// above explains an error in a go.mod or go.work found above dir, which has
// none of its own: the go command would use it too, but the user may not
// know it is there.
func above(dir string, err error) error {
	return hint.With(fmt.Errorf("%s has no go.mod or go.work of its own, and the one above it that go would use is broken: %w", dir, err),
		"run sprintkit in the project's own directory (or pass --dir), or fix or remove that file if it is left over")
}

// workspaceAt returns the workspace of dir/go.work, nil when there is none.
func workspaceAt(ctx context.Context, dir string) (*Project, error) {
	work := filepath.Join(dir, "go.work")
	if _, err := os.Stat(work); err != nil {
		return nil, nil
	}
	if os.Getenv("GOWORK") == "off" {
		return nil, nil
	}
	wf, err := project.ReadGoWork(dir)
	if err != nil {
		return nil, err
	}
	p := &Project{Root: dir, Workspace: work}
	for _, u := range wf.Use {
		d := filepath.FromSlash(u)
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		m, ok, err := readModule(d)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("read %s: use %s: no go.mod there", work, u)
		}
		p.Modules = append(p.Modules, m)
	}
	if len(p.Modules) == 0 {
		return nil, fmt.Errorf("read %s: it uses no module", work)
	}
	return p, nil
}

// modulesBelow returns dir's module and the modules nested below it.
func modulesBelow(dir string) ([]Module, error) {
	var mods []Module
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // unreadable subdirectories are not ours to report
		}
		if d.IsDir() {
			name := d.Name()
			if p != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "vendor" || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "go.mod" {
			return nil
		}
		m, ok, err := readModule(filepath.Dir(p))
		if err != nil {
			return err
		}
		if ok {
			mods = append(mods, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find Go modules in %s: %w", dir, err)
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Dir < mods[j].Dir })
	return mods, nil
}

// readModule reads the module path from dir/go.mod; ok is false when there
// is no go.mod.
func readModule(dir string) (Module, bool, error) {
	g, err := project.ReadGoMod(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return Module{}, false, nil
	}
	if err != nil {
		return Module{}, false, err
	}
	return Module{Path: g.Module, Dir: dir}, true, nil
}

// Package is what `go list` says about one package, plus what sprintkit
// derives from it.
type Package struct {
	ImportPath   string
	Name         string
	Dir          string
	GoFiles      []string
	CgoFiles     []string
	TestGoFiles  []string
	XTestGoFiles []string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Module       *struct{ Path, Dir string }
	Error        *struct{ Err string }

	IsMain        bool   `json:"-"`
	HasTests      bool   `json:"-"`
	TestSupport   bool   `json:"-"`
	SupportReason string `json:"-"` // why TestSupport, from classifyPackage
}

// ListPackages runs `go list -e -json` for patterns in dir and marks main
// packages, packages with tests and test-support packages. env, when not
// empty, is the command's whole environment.
func ListPackages(ctx context.Context, dir string, env []string, patterns ...string) ([]*Package, error) {
	args := append([]string{"list", "-e", "-json=ImportPath,Name,Dir,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,Imports,TestImports,XTestImports,Module,Error"}, patterns...)
	out, err := goCmd(ctx, dir, env, args...)
	if err != nil {
		return nil, err
	}
	var pkgs []*Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p Package
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list in %s: %w", dir, err)
		}
		if p.ImportPath == "" || (len(p.GoFiles) == 0 && len(p.CgoFiles) == 0 && len(p.TestGoFiles) == 0 && len(p.XTestGoFiles) == 0) {
			continue
		}
		pkgs = append(pkgs, &p)
	}
	markPackages(pkgs)
	return pkgs, nil
}

// markPackages sets IsMain, HasTests and TestSupport, the last by the
// evidence classifyGoPackage weighs (classify.go).
func markPackages(pkgs []*Package) {
	byTests := map[string]bool{}
	byCode := map[string]bool{}
	for _, p := range pkgs {
		for _, imp := range p.Imports {
			byCode[imp] = true
		}
		for _, imp := range p.TestImports {
			if imp != p.ImportPath {
				byTests[imp] = true
			}
		}
		for _, imp := range p.XTestImports {
			if imp != p.ImportPath {
				byTests[imp] = true
			}
		}
	}
	for _, p := range pkgs {
		p.IsMain = p.Name == "main"
		p.HasTests = len(p.TestGoFiles)+len(p.XTestGoFiles) > 0
		p.TestSupport, p.SupportReason = classifyGoPackage(p, byTests[p.ImportPath], byCode[p.ImportPath])
	}
}

// goCmd runs the go command in dir and returns its stdout; a failure carries
// the first lines of stderr.
func goCmd(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	bin, err := exec.LookPath("go")
	if err != nil {
		return nil, ErrNoGo
	}
	cmd := proc.Command(ctx, bin, args...)
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = env
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("go %s: %w%s", strings.Join(args[:1], " "), err, firstLines(stderr.String(), 10))
	}
	return out, nil
}

func firstLines(s string, n int) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return ": " + strings.Join(lines, "\n")
}

// relSlash returns p relative to root, slash-separated, or "" when p is not
// under root.
func relSlash(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return ""
	}
	return filepath.ToSlash(r)
}

// modulePatterns returns "./..."-style patterns for each module, relative to
// the project root when the project is a workspace.
func modulePatterns(root string, mods []Module) []string {
	var pats []string
	for _, m := range mods {
		rel := relSlash(root, m.Dir)
		if rel == "" || rel == "." {
			pats = append(pats, "./...")
		} else {
			pats = append(pats, "./"+path.Clean(rel)+"/...")
		}
	}
	return pats
}
