package goenv

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

func TestLookupFindsNamesAsTheSystemSpellsThem(t *testing.T) {
	win := []string{`SystemRoot=C:\Windows`, `Path=C:\Go\bin;C:\Windows`, "GOPROXY=off"}
	tests := []struct {
		name      string
		env       []string
		key, goos string
		want      string
		found     bool
	}{
		{"Windows' Path is found as PATH on Windows", win, "PATH", "windows", `C:\Go\bin;C:\Windows`, true},
		{"Windows' Path is not PATH elsewhere", win, "PATH", "linux", "", false},
		{"a name in its own case is found everywhere", win, "GOPROXY", "linux", "off", true},
		{"the last of two settings counts, as exec passes it", []string{"A=1", "B=2", "A=3"}, "A", "linux", "3", true},
		{"the last of two spellings counts on Windows", []string{"PATH=x", "Path=y"}, "path", "windows", "y", true},
		{"an empty value is set", []string{"GOFLAGS="}, "GOFLAGS", "darwin", "", true},
		{"a prefix of a name is not the name", []string{"PATHEXT=.exe"}, "PATH", "windows", "", false},
		{"an entry without = is no setting", []string{"PATH"}, "PATH", "linux", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found := LookupOS(tt.env, tt.key, tt.goos)
			if got != tt.want || found != tt.found {
				t.Errorf("lookup(%q) on %s = %q, %v; want %q, %v", tt.key, tt.goos, got, found, tt.want, tt.found)
			}
		})
	}
}

func TestSetReplacesEverySpellingOnWindows(t *testing.T) {
	env := []string{"Path=a", "GOPROXY=x", "PATH=b"}
	if got, want := set(env, "PATH", "c", "windows"), []string{"GOPROXY=x", "PATH=c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("on Windows: %q, want %q", got, want)
	}
	if got, want := set(env, "PATH", "c", "linux"), []string{"Path=a", "GOPROXY=x", "PATH=c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("on Linux: %q, want %q", got, want)
	}
	if len(env) != 3 || env[2] != "PATH=b" {
		t.Errorf("Set changed its input: %q", env)
	}
}

func TestRunReadsGoEnvOncePerCall(t *testing.T) {
	goBin := testkit.NeedGo(t)
	dir := t.TempDir()
	env := []string{"HOME=" + dir, "GOCACHE=" + filepath.Join(dir, "cache"), "GOTOOLCHAIN=local", "GOPROXY=off", "PATH=" + filepath.Dir(goBin)}
	v, err := Run(context.Background(), goBin, dir, env)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v["GOVERSION"], "go") {
		t.Errorf("GOVERSION = %q, want the go command's version", v["GOVERSION"])
	}
	if v["GOPROXY"] != "off" || v["GOCACHE"] != filepath.Join(dir, "cache") {
		t.Errorf("GOPROXY = %q, GOCACHE = %q: want what env set", v["GOPROXY"], v["GOCACHE"])
	}
	again, err := Run(context.Background(), goBin, dir, env)
	if err != nil || reflect.ValueOf(again).Pointer() != reflect.ValueOf(v).Pointer() {
		t.Errorf("a second call ran go env again (err %v), want the kept answer", err)
	}
	other, err := Run(context.Background(), goBin, dir, append(env, "GOPROXY=direct"))
	if err != nil || other["GOPROXY"] != "direct" {
		t.Errorf("another environment: GOPROXY = %q (err %v), want its own answer", other["GOPROXY"], err)
	}
}

func TestRunFailureWrapsTheExitAndIsNotKept(t *testing.T) {
	goBin := testkit.NeedGo(t)
	dir := t.TempDir()
	// A GOTOOLCHAIN the go command cannot read makes go env fail.
	env := []string{"HOME=" + dir, "GOTOOLCHAIN=bogus", "PATH=" + filepath.Dir(goBin)}
	_, err := Run(context.Background(), goBin, dir, env)
	var ee *exec.ExitError
	if err == nil || !errors.As(err, &ee) {
		t.Fatalf("error %v, want one wrapping the go command's exit", err)
	}
	mu.Lock()
	n := 0
	for k := range cache {
		if k.dir == dir {
			n++
		}
	}
	mu.Unlock()
	if n != 0 {
		t.Errorf("the failure was kept (%d entries for its directory)", n)
	}
}

// Run asks go env for its Names only: the whole listing probes the C
// compiler and writes the answers into GOCACHE, which setup from an image
// must leave as it was.
func TestRunWritesNothingIntoGOCACHE(t *testing.T) {
	testkit.NeedGo(t)
	cache := t.TempDir()
	env := append(os.Environ(), "GOCACHE="+cache, "GOFLAGS=", "GOTOOLCHAIN=local")
	vars, err := Run(context.Background(), "go", t.TempDir(), env)
	if err != nil {
		t.Fatal(err)
	}
	if vars["GOCACHE"] != cache || vars["GOVERSION"] == "" {
		t.Fatalf("GOCACHE %q, GOVERSION %q; want %q and a version", vars["GOCACHE"], vars["GOVERSION"], cache)
	}
	entries, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("go env wrote %d entries into GOCACHE", len(entries))
	}
}
