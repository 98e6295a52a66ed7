package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
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
		Cmds:                map[string]func(ts *testscript.TestScript, neg bool, args []string){"cmpcoverage": cmpCoverage, "fetch": fetch, "fits": fits},
		Setup: func(env *testscript.Env) error {
			env.Setenv("GOCACHE", trim(gocache))
			env.Setenv("GOMODCACHE", trim(gomodcache))
			env.Setenv("GOPROXY", "off")
			env.Setenv("GOFLAGS", "-mod=mod")
			env.Setenv("GOTOOLCHAIN", "local")
			env.Setenv("NO_COLOR", "1")
			env.Setenv("GOROOT_BIN", filepath.Dir(gobin))
			if repo, err := filepath.Abs(filepath.Join("..", "..")); err == nil {
				env.Setenv("REPO", repo) // this checkout, for the README's own commands
			}
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

// cmpCoverage compares two coverage.json (or baseline.json) files apart
// from when they were made: every "generated" and "created" timestamp and
// every "seconds" duration is left out, everything else must be equal.
// Each target's start_from and start_from_why are left out (see below).
// With -nooutput the tests' "output" is left out too: a test binary that
// panicked prints goroutine addresses and times that differ from run to run.
//
//	cmpcoverage [-nooutput] a.json b.json
func cmpCoverage(ts *testscript.TestScript, neg bool, args []string) {
	noOutput := len(args) > 0 && args[0] == "-nooutput"
	if noOutput {
		args = args[1:]
	}
	if len(args) != 2 {
		ts.Fatalf("usage: cmpcoverage [-nooutput] a.json b.json")
	}
	var docs [2]any
	for i, name := range args {
		if err := json.Unmarshal([]byte(ts.ReadFile(name)), &docs[i]); err != nil {
			ts.Fatalf("%s: %v", name, err)
		}
		docs[i] = withoutTimes(docs[i])
		// The test to start from comes from per-test coverage, which setup
		// measures after its first screen and the other commands read from
		// the checkout's cache, there or not (onboard/startfrom.go).
		docs[i] = withoutKey(withoutKey(docs[i], "start_from"), "start_from_why")
		if noOutput {
			docs[i] = withoutKey(docs[i], "output")
		}
	}
	same := reflect.DeepEqual(docs[0], docs[1])
	switch {
	case same && neg:
		ts.Fatalf("%s and %s are the same apart from their times", args[0], args[1])
	case !same && !neg:
		a, _ := json.MarshalIndent(docs[0], "", " ")
		b, _ := json.MarshalIndent(docs[1], "", " ")
		ts.Logf("%s:\n%s", args[0], a)
		ts.Logf("%s:\n%s", args[1], b)
		ts.Fatalf("%s and %s differ apart from their times", args[0], args[1])
	}
}

// withoutKey removes key from every object of v.
func withoutKey(v any, key string) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, key)
		for k, x := range v {
			v[k] = withoutKey(x, key)
		}
	case []any:
		for i, x := range v {
			v[i] = withoutKey(x, key)
		}
	}
	return v
}

func withoutTimes(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "generated")
		delete(v, "created")
		delete(v, "seconds")
		for k, x := range v {
			v[k] = withoutTimes(x)
		}
	case []any:
		for i, x := range v {
			v[i] = withoutTimes(x)
		}
	}
	return v
}
