package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptParams returns the testscript parameters shared by all CLI scripts:
// the real go toolchain is on PATH, a shared GOCACHE and GOMODCACHE keep
// builds warm, and GOFLAGS/GOPROXY make module lookups fail fast offline.
func scriptParams(t *testing.T, dir string) testscript.Params {
	gocache, _ := exec.Command("go", "env", "GOCACHE").Output()
	gomodcache, _ := exec.Command("go", "env", "GOMODCACHE").Output()
	gobin, _ := exec.LookPath("go")
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("GOCACHE", trim(gocache))
			env.Setenv("GOMODCACHE", trim(gomodcache))
			env.Setenv("GOPROXY", "off")
			env.Setenv("GOFLAGS", "-mod=mod")
			env.Setenv("GOTOOLCHAIN", "local")
			env.Setenv("NO_COLOR", "1")
			env.Setenv("GOROOT_BIN", filepath.Dir(gobin))
			if gobin != "" {
				env.Setenv("PATH", filepath.Dir(gobin)+string(os.PathListSeparator)+env.Getenv("PATH"))
			}
			return nil
		},
	}
}

func trim(b []byte) string {
	s := string(b)
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
