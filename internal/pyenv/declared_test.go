package pyenv

import (
	"slices"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

func TestDeclaredInFindsTheTestDependenciesInOrder(t *testing.T) {
	cases := []struct {
		name        string
		files       map[string]string
		installable bool
		extra       string
		from        string   // Test's String(), "" for none
		reqs        []string // Test's or the extra's requirements
	}{
		{"a dependency group comes first, with the groups it includes",
			map[string]string{
				"pyproject.toml": "[project]\nname = \"p\"\n[project.optional-dependencies]\ntests = [\"x\"]\n" +
					"[dependency-groups]\nlib = [\"freezeme>=1\"]\ntests = [\"pytest\", {include-group = \"lib\"}]\n",
				"requirements-test.txt": "y\n",
			}, true, "", "pyproject.toml [dependency-groups] tests", []string{"pytest", "freezeme>=1"}},
		{"then the optional dependencies of a test name, installed with the project",
			map[string]string{"pyproject.toml": "[project]\nname = \"p\"\n[project.optional-dependencies]\ndocs = [\"d\"]\ntesting = [\"t1\", \"t2\"]\n", "requirements-dev.txt": "y\n"},
			true, "testing", "", []string{"t1", "t2"}},
		{"then requirements/test*.txt before requirements-test*.txt",
			map[string]string{"setup.py": "", "requirements/tests.txt": "a\n", "requirements-test.txt": "b\n"},
			true, "", "requirements/tests.txt", []string{"a"}},
		{"a requirements file's comments and options are left out",
			map[string]string{"test-requirements.txt": "# the tests\n-c constraints.txt\nfreezeme  # time\n\nhypothesis>=6\n"},
			false, "", "test-requirements.txt", []string{"freezeme", "hypothesis>=6"}},
		{"last, tox.ini's [testenv] deps, without tox substitutions",
			map[string]string{"setup.cfg": "", "tox.ini": "[tox]\nenvlist = py3\n\n[testenv]\ndeps =\n    pytest\n    -r{toxinidir}/req.txt\n    mock>=4\ncommands = pytest\n"},
			true, "", "tox.ini [testenv] deps", []string{"pytest", "mock>=4"}},
		{"a project that declares nothing installs only itself",
			map[string]string{"pyproject.toml": "[project]\nname = \"p\"\n"}, true, "", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			testkit.WriteTree(t, dir, tc.files)
			d, err := DeclaredIn(dir)
			if err != nil {
				t.Fatal(err)
			}
			from, reqs := "", d.ExtraRequires
			if d.Test != nil {
				from, reqs = d.Test.String(), d.Test.Reqs
			}
			if d.Installable != tc.installable || d.Extra != tc.extra || from != tc.from || !slices.Equal(reqs, tc.reqs) {
				t.Errorf("got installable %v, extra %q, from %q, %q; want %v, %q, %q, %q", d.Installable, d.Extra, from, reqs, tc.installable, tc.extra, tc.from, tc.reqs)
			}
		})
	}
}

func TestDeclaredInRefusesAnIncludeGroupCycle(t *testing.T) {
	dir := t.TempDir()
	testkit.WriteTree(t, dir, map[string]string{"pyproject.toml": "[dependency-groups]\ntest = [{include-group = \"a\"}]\na = [{include-group = \"test\"}]\n"})
	_, err := DeclaredIn(dir)
	if err == nil || !strings.Contains(err.Error(), "pyproject.toml [dependency-groups] test: include-group cycle: test → a → test") {
		t.Fatalf("err = %v", err)
	}
}

func TestNormalizeIsPEP503s(t *testing.T) {
	for in, want := range map[string]string{"Foo.Bar_baz": "foo-bar-baz", "a--b": "a-b", "zope.interface": "zope-interface"} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
