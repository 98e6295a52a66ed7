package checkout

import (
	"bufio"
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
	// Python: pyproject.toml, setup.py or setup.cfg at the root, or test
	// files named tests/test_*.py.
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

// Detect looks at dir and says what kind of project it is. It reads go.mod
// and go.work with a small parser of the lines it needs (module, go,
// toolchain, use), which is all the checks need.
func Detect(dir string) (*Project, error) {
	p := &Project{Dir: dir}
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	if f := filepath.Join(dir, "go.work"); exists(f) {
		p.GoWork = true
		d := parseGoFile(f)
		p.GoVersion, p.Toolchain = d.goLine, d.toolchain
		p.Modules = d.uses
	}
	if f := filepath.Join(dir, "go.mod"); exists(f) {
		p.Go = true
		d := parseGoFile(f)
		p.Module = d.module
		if !p.GoWork {
			p.GoVersion, p.Toolchain = d.goLine, d.toolchain
		}
	}
	for _, n := range []string{"pyproject.toml", "setup.py", "setup.cfg"} {
		if exists(filepath.Join(dir, n)) {
			p.Python = true
		}
	}
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
		name := d.Name()
		switch {
		case name == "go.mod":
			rel, _ := filepath.Rel(dir, filepath.Dir(path))
			mods = append(mods, filepath.ToSlash(rel))
		case !p.Python && strings.HasPrefix(name, "test_") && strings.HasSuffix(name, ".py"):
			if base := filepath.Base(filepath.Dir(path)); base == "tests" || base == "test" {
				p.Python = true
			}
		}
		return nil
	})
	if !p.GoWork {
		sort.Strings(mods)
		p.Modules = mods
	}
	return p, nil
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

type goFile struct {
	module, goLine, toolchain string
	uses                      []string
}

// parseGoFile reads the "module", "go", "toolchain" and "use" directives of
// a go.mod or go.work file, in single-line or block form ("use ( ./a ./b )").
func parseGoFile(name string) goFile {
	var d goFile
	f, err := os.Open(name)
	if err != nil {
		return d
	}
	defer f.Close()
	block := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if block != "" {
			if fields[0] == ")" {
				block = ""
				continue
			}
			if block == "use" {
				d.uses = append(d.uses, cleanUse(fields[0]))
			}
			continue
		}
		if len(fields) >= 2 && fields[1] == "(" {
			block = fields[0]
			continue
		}
		if len(fields) < 2 {
			continue
		}
		v := strings.Trim(fields[1], `"`)
		switch fields[0] {
		case "module":
			d.module = v
		case "go":
			d.goLine = v
		case "toolchain":
			d.toolchain = v
		case "use":
			d.uses = append(d.uses, cleanUse(v))
		}
	}
	return d
}

func cleanUse(s string) string {
	s = strings.Trim(s, `"`)
	s = filepath.ToSlash(filepath.Clean(s))
	return s
}
