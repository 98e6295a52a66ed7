package pytest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// pythonProjectName reads the project's name from pyproject.toml ([project]
// or [tool.poetry]) or setup.cfg ([metadata]); "" when neither names it.
func pythonProjectName(dir string) string {
	for _, c := range []struct{ file, sections string }{
		{"pyproject.toml", "[project] [tool.poetry]"},
		{"setup.cfg", "[metadata]"},
	} {
		b, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			continue
		}
		in := false
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "[") {
				in = strings.Contains(" "+c.sections+" ", " "+line+" ")
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if in && ok && strings.TrimSpace(k) == "name" {
				if v = strings.Trim(strings.TrimSpace(v), `"'`); v != "" {
					return v
				}
			}
		}
	}
	return ""
}

// moduleOf turns a test file into a dotted module name for unittest.
func moduleOf(dir, f string) string {
	if filepath.IsAbs(f) {
		if rel, err := filepath.Rel(dir, f); err == nil {
			f = rel
		}
	}
	f = strings.TrimSuffix(filepath.ToSlash(f), ".py")
	return strings.ReplaceAll(f, "/", ".")
}

// pythonTestModules returns the dotted names of the test modules under dir
// (test_*.py, *_test.py), for naming test results by module, with the file
// of each (slash-separated, relative to dir).
func pythonTestModules(dir string) map[string]string {
	mods := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != dir && (strings.HasPrefix(name, ".") || name == "venv" || name == "node_modules" || name == "__pycache__" || name == "site-packages") {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".py") && (strings.HasPrefix(name, "test_") || strings.HasSuffix(name, "_test.py")) {
			// pytest names a module of a directory without __init__.py by
			// its base name alone: know every dotted suffix.
			parts := strings.Split(moduleOf(dir, p), ".")
			rel, _ := filepath.Rel(dir, p)
			for i := range parts {
				if _, ok := mods[strings.Join(parts[i:], ".")]; !ok || i == 0 {
					mods[strings.Join(parts[i:], ".")] = filepath.ToSlash(rel)
				}
			}
		}
		return nil
	})
	return mods
}

// splitTestName splits a dotted test class path ("tests.test_ops.TestOps")
// into the test module and the rest, using the known test modules.
func splitTestName(classname, name string, mods map[string]string) (pkg, test string) {
	parts := strings.Split(classname, ".")
	for k := len(parts); k > 0; k-- {
		m := strings.Join(parts[:k], ".")
		if _, ok := mods[m]; ok {
			rest := append(append([]string{}, parts[k:]...), name)
			return m, strings.Join(rest, ".")
		}
	}
	return classname, name
}

// pyBranchWhy says where a Python project asks for branch coverage: the
// first of coverage.py's configuration files that sets branch in its run
// section (.coveragerc [run], setup.cfg and tox.ini [coverage:run],
// pyproject.toml [tool.coverage.run]), else $COVERAGE_RCFILE.
func pyBranchWhy(dir string) string {
	if file, on, ok := pyBranchSetting(dir); ok && on {
		return "branch = True in " + file + ", as coverage report counts"
	}
	return "coverage.py measured branches, as coverage report counts"
}

// pyBranchSetting finds the project's own branch setting: the file of
// coverage.py's configuration that sets it, and its value; ok is false
// when none does.
func pyBranchSetting(dir string) (file string, on, ok bool) {
	files := []struct{ file, section string }{
		{".coveragerc", "[run]"}, {"setup.cfg", "[coverage:run]"}, {"tox.ini", "[coverage:run]"},
		{"pyproject.toml", "[tool.coverage.run]"},
	}
	if rc := os.Getenv("COVERAGE_RCFILE"); rc != "" {
		files = append([]struct{ file, section string }{{rc, "[run]"}}, files...)
	}
	for _, c := range files {
		b, err := os.ReadFile(filepath.Join(dir, c.file))
		if filepath.IsAbs(c.file) {
			b, err = os.ReadFile(c.file)
		}
		if err != nil {
			continue
		}
		in := false
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "[") {
				in = strings.EqualFold(strings.ReplaceAll(line, " ", ""), c.section)
				continue
			}
			k, v, found := strings.Cut(line, "=")
			if in && found && strings.TrimSpace(k) == "branch" {
				v = strings.ToLower(strings.Trim(strings.TrimSpace(v), `"'`))
				return filepath.Base(c.file), v == "true" || v == "1" || v == "yes" || v == "on", true
			}
		}
	}
	return "", false, false
}

// IsProject reports whether dir holds a Python project: a
// pyproject.toml, setup.py or setup.cfg, or a tests/ (or test/) directory
// with test_*.py files.
func IsProject(dir string) bool {
	for _, f := range []string{"pyproject.toml", "setup.py", "setup.cfg"} {
		if isRegular(filepath.Join(dir, f)) {
			return true
		}
	}
	for _, t := range []string{"tests", "test"} {
		for _, pat := range []string{"test_*.py", filepath.Join("*", "test_*.py")} {
			if m, _ := filepath.Glob(filepath.Join(dir, t, pat)); len(m) > 0 {
				return true
			}
		}
	}
	return false
}

// isRegular reports whether p is a regular file (after symlinks).
func isRegular(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
