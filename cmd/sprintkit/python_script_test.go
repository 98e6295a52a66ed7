package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/sprintkit/sprintkit/internal/pyenv"
	"github.com/sprintkit/sprintkit/internal/testkit"
)

// TestPythonScripts runs testdata/script_python: Python projects set up
// with their declared test dependencies, from indexes the test makes (no
// network). Each script has $WHEELS, a directory holding the wheel of the
// test-only library freezeme, $PYINDEX, a PEP 503 index of it on
// 127.0.0.1 ($PYHOST its host and port), $SRV, the root of bare repositories served over git's smart
// HTTP at $GITURL, and no pip setting or configuration file of the
// machine's.
func TestPythonScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("creates virtual environments and runs pip: go test without -short runs it")
	}
	srv := t.TempDir()
	git := testkit.GitHTTP(t, srv, nil)
	p := scriptParams(t, "testdata/script_python")
	base := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := base(env); err != nil {
			return err
		}
		wheels := filepath.Join(env.WorkDir, "wheels")
		if err := os.MkdirAll(wheels, 0o755); err != nil {
			return err
		}
		testkit.WriteWheel(t, wheels, "freezeme", "1.0", map[string]string{"freezeme.py": "def frozen():\n    return 42\n"})
		index := httptest.NewServer(pyenv.SimpleIndex(wheels))
		env.Defer(index.Close)
		env.Setenv("WHEELS", wheels)
		env.Setenv("PYINDEX", index.URL+"/simple/")
		env.Setenv("PYHOST", strings.TrimPrefix(index.URL, "http://"))
		env.Setenv("SRV", srv)
		env.Setenv("GITURL", git.URL)
		env.Setenv("PIP_CONFIG_FILE", os.DevNull)
		env.Setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
		return nil
	}
	testscript.Run(t, p)
}
