package pyenv

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// testGroups are the names under which projects declare what their tests
// need, in the order they are looked for.
var testGroups = []string{"test", "tests", "testing", "dev"}

// Declared is what a project declares it needs to run its tests, as
// DeclaredIn finds it.
type Declared struct {
	// Installable: a pyproject.toml, setup.py or setup.cfg, so the project
	// itself is installed (pip install -e .).
	Installable bool
	// Name is the project's name ([project] name), "" when not declared.
	Name string
	// Requires are the project's own dependencies ([project] dependencies).
	Requires []string
	// Extra is the [project.optional-dependencies] name installed with the
	// project (pip install -e '.[tests]'), "" for none; ExtraRequires are
	// its requirements.
	Extra         string
	ExtraRequires []string
	// Test is where the test dependencies are declared when not as an
	// extra: a dependency group, a requirements file or tox.ini's deps.
	Test *Source
	// Backend is [build-system] build-backend ("" for setuptools' legacy
	// default), BackendPath its backend-path, BuildRequires its requires.
	Backend       string
	BackendPath   []string
	BuildRequires []string
	// Files are the files that declare all this, relative to the project:
	// a change to one of them means installing again.
	Files []string
}

// Source is one declaration of test dependencies.
type Source struct {
	File    string   `json:"file"`              // relative to the project: "pyproject.toml", "requirements-test.txt"
	Section string   `json:"section,omitempty"` // "[dependency-groups] test", "[testenv] deps"
	Reqs    []string `json:"requirements,omitempty"`
	// ReqFile installs File as a requirements file (pip install -r File).
	ReqFile bool `json:"-"`
}

// String names the source for a person: "pyproject.toml [dependency-groups] test".
func (s *Source) String() string {
	if s.Section == "" {
		return s.File
	}
	return s.File + " " + s.Section
}

type pyproject struct {
	Project struct {
		Name         string              `toml:"name"`
		Dependencies []string            `toml:"dependencies"`
		Optional     map[string][]string `toml:"optional-dependencies"`
	} `toml:"project"`
	BuildSystem struct {
		Requires    []string `toml:"requires"`
		Backend     string   `toml:"build-backend"`
		BackendPath []string `toml:"backend-path"`
	} `toml:"build-system"`
	Groups map[string][]any `toml:"dependency-groups"`
}

// DeclaredIn reads what the project in dir declares for its tests, looking
// in this order and taking the first found: PEP 735 [dependency-groups]
// (test, tests, testing, dev, with {include-group = ...} resolved),
// [project.optional-dependencies] of the same names, requirements/test*.txt,
// requirements-test*.txt, test-requirements.txt, requirements-dev.txt, and
// tox.ini's [testenv] deps.
func DeclaredIn(dir string) (*Declared, error) {
	d := &Declared{}
	for _, f := range []string{"pyproject.toml", "setup.py", "setup.cfg"} {
		if isRegular(filepath.Join(dir, f)) {
			d.Installable = true
			d.Files = append(d.Files, f)
		}
	}
	var pp pyproject
	if b, err := os.ReadFile(filepath.Join(dir, "pyproject.toml")); err == nil {
		if err := toml.Unmarshal(b, &pp); err != nil {
			return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, "pyproject.toml"), err)
		}
	}
	d.Name, d.Requires = pp.Project.Name, pp.Project.Dependencies
	d.Backend, d.BackendPath, d.BuildRequires = pp.BuildSystem.Backend, pp.BuildSystem.BackendPath, pp.BuildSystem.Requires
	for _, g := range testGroups {
		if _, ok := pp.Groups[g]; ok {
			reqs, err := resolveGroup(pp.Groups, g, nil)
			if err != nil {
				return nil, fmt.Errorf("pyproject.toml [dependency-groups] %s: %w", g, err)
			}
			d.Test = &Source{File: "pyproject.toml", Section: "[dependency-groups] " + g, Reqs: reqs}
			return d, nil
		}
	}
	for _, g := range testGroups {
		if reqs, ok := pp.Project.Optional[g]; ok && d.Installable {
			d.Extra, d.ExtraRequires = g, reqs
			return d, nil
		}
	}
	if f := requirementsFile(dir); f != "" {
		reqs, _ := readRequirements(filepath.Join(dir, filepath.FromSlash(f)))
		d.Test = &Source{File: f, Reqs: reqs, ReqFile: true}
		d.Files = append(d.Files, f)
		return d, nil
	}
	if reqs := toxDeps(filepath.Join(dir, "tox.ini")); len(reqs) > 0 {
		d.Test = &Source{File: "tox.ini", Section: "[testenv] deps", Reqs: reqs}
		d.Files = append(d.Files, "tox.ini")
	}
	return d, nil
}

// resolveGroup lists a dependency group's requirements, including the
// groups it names with {include-group = "name"}.
func resolveGroup(groups map[string][]any, name string, seen []string) ([]string, error) {
	for _, s := range seen {
		if s == name {
			return nil, fmt.Errorf("include-group cycle: %s", strings.Join(append(seen, name), " → "))
		}
	}
	items, ok := groups[name]
	if !ok {
		return nil, fmt.Errorf("include-group %q: no such group", name)
	}
	var out []string
	for _, it := range items {
		switch v := it.(type) {
		case string:
			out = append(out, v)
		case map[string]any:
			inc, _ := v["include-group"].(string)
			if inc == "" {
				return nil, fmt.Errorf("an entry %v that is neither a requirement nor {include-group = ...}", v)
			}
			more, err := resolveGroup(groups, inc, append(seen, name))
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		default:
			return nil, fmt.Errorf("an entry %v that is neither a requirement nor {include-group = ...}", v)
		}
	}
	return out, nil
}

// requirementsFile is the first requirements file of the project's tests,
// slash-separated: requirements/test*.txt, requirements-test*.txt,
// test-requirements.txt, requirements-dev.txt.
func requirementsFile(dir string) string {
	for _, pat := range []string{"requirements/test*.txt", "requirements-test*.txt", "test-requirements.txt", "requirements-dev.txt"} {
		m, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pat)))
		sort.Strings(m)
		for _, f := range m {
			if isRegular(f) {
				rel, _ := filepath.Rel(dir, f)
				return filepath.ToSlash(rel)
			}
		}
	}
	return ""
}

// readRequirements lists the requirements of a requirements file, for
// naming the file that asks for one: its lines without comments and
// options.
func readRequirements(file string) ([]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if i := strings.Index(l, " #"); i >= 0 {
			l = strings.TrimSpace(l[:i])
		}
		if l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "-") {
			out = append(out, l)
		}
	}
	return out, nil
}

// toxDeps reads tox.ini's [testenv] deps: one requirement a line, the
// continuation lines of an ini value; a line with a tox substitution
// ({toxinidir}) or a -r/-c option is left out.
func toxDeps(file string) []string {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var out []string
	in, deps := false, false
	for _, raw := range strings.Split(string(b), "\n") {
		l := strings.TrimSpace(raw)
		switch {
		case strings.HasPrefix(l, "["):
			in, deps = strings.ReplaceAll(l, " ", "") == "[testenv]", false
			continue
		case !in || l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, ";"):
			continue
		}
		indented := raw != "" && (raw[0] == ' ' || raw[0] == '\t')
		if !indented {
			k, v, ok := strings.Cut(l, "=")
			deps = ok && strings.TrimSpace(k) == "deps"
			if !deps {
				continue
			}
			l = strings.TrimSpace(v)
		}
		if deps && l != "" && !strings.Contains(l, "{") && !strings.HasPrefix(l, "-") {
			out = append(out, l)
		}
	}
	return out
}

// reqNameRE reads the name at the start of a requirement ("pytest>=7",
// "freezegun[extra] ; python_version>'3'").
var reqNameRE = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)`)

// Normalize is a distribution name as PEP 503 compares them: lower case,
// runs of -, _ and . as one -.
func Normalize(name string) string {
	return strings.ToLower(normRE.ReplaceAllString(name, "-"))
}

var normRE = regexp.MustCompile(`[-_.]+`)

// reqName is the normalized name a requirement asks for, "" for none.
func reqName(req string) string {
	if m := reqNameRE.FindStringSubmatch(req); m != nil {
		return Normalize(m[1])
	}
	return ""
}

// Installs reports whether dir holds a Python project whose environment
// Prepare sets up: one that is installable or declares test requirements.
func Installs(dir string) bool {
	d, err := DeclaredIn(dir)
	return err == nil && (d.Installable || d.Test != nil)
}
