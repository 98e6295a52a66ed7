package project

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Project is what a checkout holds.
type Project struct {
	Dir string `json:"dir"`
	// Go: a go.mod at the root; GoWork: a go.work at the root.
	Go     bool `json:"go,omitempty"`
	GoWork bool `json:"go_work,omitempty"`
	// Module is the root module's path; GoVersion and Toolchain are its
	// "go" and "toolchain" lines (for a workspace, those of go.work).
	Module    string `json:"module,omitempty"`
	GoVersion string `json:"go_version,omitempty"`
	Toolchain string `json:"toolchain,omitempty"`
	// Modules lists the directories (slash-separated, relative to Dir, "."
	// for the root) of the workspace's modules, or of every go.mod found
	// when there is no go.work.
	Modules []string `json:"modules,omitempty"`
	// Python: see IsPython.
	Python bool `json:"python,omitempty"`
	// Dirs is the number of directories outside .git, for the inotify check.
	Dirs int `json:"dirs"`
}

// Kind names the project kind: "go workspace", "go module", "python",
// "go module + python", or "unknown".
func (p *Project) Kind() string {
	var k []string
	switch {
	case p.GoWork:
		k = append(k, "go workspace")
	case p.Go:
		k = append(k, "go module")
	case len(p.Modules) > 0:
		k = append(k, "go modules")
	}
	if p.Python {
		k = append(k, "python")
	}
	if len(k) == 0 {
		return "unknown"
	}
	return strings.Join(k, " + ")
}

// skipDir reports directories that hold no project code of their own.
func skipDir(name string) bool {
	switch name {
	case ".git", ".hg", ".svn", ".sprintkit", "node_modules", "vendor", "testdata", "__pycache__", ".venv", "venv", ".tox":
		return true
	}
	return false
}

// Detect looks at dir and says what kind of project it is. A go.mod or
// go.work that cannot be parsed is an error naming its file and line.
func Detect(dir string) (*Project, error) {
	p := &Project{Dir: dir}
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	if w, err := ReadGoWork(dir); err == nil {
		p.GoWork = true
		p.GoVersion, p.Toolchain = w.Go, w.Toolchain
		p.Modules = w.Use
	} else if !notExist(err) {
		return nil, err
	}
	if m, err := ReadGoMod(dir); err == nil {
		p.Go = true
		p.Module = m.Module
		if !p.GoWork {
			p.GoVersion, p.Toolchain = m.Go, m.Toolchain
		}
	} else if !notExist(err) {
		return nil, err
	}
	p.Python = IsPython(dir)
	var mods []string
	// Every directory but version control's is counted (a watcher would
	// watch it); go.mod and test files are looked for outside vendored,
	// test-data and hidden directories.
	skipUnder := ""
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if skipUnder != "" && !strings.HasPrefix(path, skipUnder) {
			skipUnder = ""
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".hg", ".svn", ".sprintkit":
				if path != dir {
					return filepath.SkipDir
				}
			}
			p.Dirs++
			if path != dir && skipUnder == "" && (skipDir(d.Name()) || strings.HasPrefix(d.Name(), ".")) {
				skipUnder = path + string(filepath.Separator)
			}
			return nil
		}
		if skipUnder != "" {
			return nil
		}
		if d.Name() == "go.mod" {
			rel, _ := filepath.Rel(dir, filepath.Dir(path))
			mods = append(mods, filepath.ToSlash(rel))
		}
		return nil
	})
	if !p.GoWork {
		sort.Strings(mods)
		p.Modules = mods
	}
	return p, nil
}
