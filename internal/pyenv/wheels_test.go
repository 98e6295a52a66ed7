package pyenv

import (
	"net/http/httptest"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// testLibWheels writes the wheels of the fixture's test-only library,
// freezeme, which exists nowhere else, and returns their directory.
func testLibWheels(t testing.TB) string {
	dir := t.TempDir()
	testkit.WriteWheel(t, dir, "freezeme", "1.0", map[string]string{"freezeme.py": "def frozen():\n    return 42\n"})
	return dir
}

// loopbackIndex serves the wheels in dir as a PEP 503 index on 127.0.0.1
// and returns its URL (…/simple/).
func loopbackIndex(t testing.TB, dir string) string {
	srv := httptest.NewServer(SimpleIndex(dir))
	t.Cleanup(srv.Close)
	return srv.URL + "/simple/"
}

// inTreeBackend is a minimal PEP 517/660 build backend for fixtures: it
// needs nothing from an index (requires = [], backend-path = ["."]).
const inTreeBackend = `import os, tomllib, zipfile

def _meta():
    with open("pyproject.toml", "rb") as f:
        p = tomllib.load(f)["project"]
    lines = ["Metadata-Version: 2.1", "Name: " + p["name"], "Version: " + p["version"]]
    for r in p.get("dependencies", []):
        lines.append("Requires-Dist: " + r)
    for extra, reqs in p.get("optional-dependencies", {}).items():
        lines.append("Provides-Extra: " + extra)
        for r in reqs:
            lines.append('Requires-Dist: %s ; extra == "%s"' % (r, extra))
    return p["name"].replace("-", "_"), p["version"], "\n".join(lines) + "\n"

_WHEEL = "Wheel-Version: 1.0\nGenerator: fixture\nRoot-Is-Purelib: true\nTag: py3-none-any\n"

def _distinfo(directory):
    name, version, meta = _meta()
    di = "%s-%s.dist-info" % (name, version)
    os.makedirs(os.path.join(directory, di), exist_ok=True)
    with open(os.path.join(directory, di, "METADATA"), "w") as f:
        f.write(meta)
    with open(os.path.join(directory, di, "WHEEL"), "w") as f:
        f.write(_WHEEL)
    return di

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _distinfo(metadata_directory)

prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel

def get_requires_for_build_wheel(config_settings=None):
    return []

get_requires_for_build_editable = get_requires_for_build_wheel

def _wheel(directory, files):
    name, version, meta = _meta()
    whl = "%s-%s-py3-none-any.whl" % (name, version)
    di = "%s-%s.dist-info" % (name, version)
    files = dict(files)
    files[di + "/METADATA"] = meta
    files[di + "/WHEEL"] = _WHEEL
    with zipfile.ZipFile(os.path.join(directory, whl), "w") as z:
        for path, data in files.items():
            z.writestr(path, data)
        z.writestr(di + "/RECORD", "".join(p + ",,\n" for p in files) + di + "/RECORD,,\n")
    return whl

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {}
    for root, _, names in os.walk("src"):
        for n in names:
            if n.endswith(".py"):
                p = os.path.join(root, n)
                with open(p) as f:
                    files[os.path.relpath(p, "src").replace(os.sep, "/")] = f.read()
    return _wheel(wheel_directory, files)

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    name, _, _ = _meta()
    return _wheel(wheel_directory, {"__editable__." + name + ".pth": os.path.abspath("src") + "\n"})
`

// Fixture projects, by what they declare.
var (
	// A src/ layout with the in-tree backend and a tests extra; its
	// conftest imports the test-only library.
	srcLayoutExtra = map[string]string{
		"pyproject.toml": `[build-system]
requires = []
build-backend = "fixture_backend"
backend-path = ["."]

[project]
name = "calc"
version = "0.1.0"

[project.optional-dependencies]
tests = ["freezeme"]
`,
		"fixture_backend.py":    inTreeBackend,
		"src/calc/__init__.py":  "",
		"src/calc/ops.py":       "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
		"tests/conftest.py":     "import freezeme\n",
		"tests/test_ops.py":     "import freezeme\nfrom calc.ops import add\n\n\ndef test_add():\n    assert add(freezeme.frozen(), 1) == 43\n",
		"tests/test_version.py": "from importlib.metadata import version\n\n\ndef test_installed():\n    assert version(\"calc\") == \"0.1.0\"\n",
	}
	// PEP 735 dependency groups, one including another; setuptools builds it.
	dependencyGroups = map[string]string{
		"pyproject.toml": `[project]
name = "grouped"
version = "0.1.0"

[dependency-groups]
lib = ["freezeme"]
test = [{include-group = "lib"}]
`,
		"grouped/__init__.py": "def twice(x):\n    return 2 * x\n",
		"tests/test_g.py":     "import freezeme\nfrom grouped import twice\n\n\ndef test_twice():\n    assert twice(freezeme.frozen()) == 84\n",
	}
	// A flat layout that is not installable, with requirements-test.txt.
	flatRequirements = map[string]string{
		"requirements-test.txt": "# what the tests need\nfreezeme>=1.0\n",
		"flat.py":               "def one():\n    return 1\n",
		"tests/test_flat.py":    "import freezeme\nfrom flat import one\n\n\ndef test_one():\n    assert one() + freezeme.frozen() == 43\n",
	}
	// A requirement that no index has.
	missingRequirement = map[string]string{
		"requirements-test.txt": "freezeme\nnosuchlib>=2\n",
		"flat.py":               "def one():\n    return 1\n",
		"tests/test_flat.py":    "from flat import one\n\n\ndef test_one():\n    assert one() == 1\n",
	}
)
