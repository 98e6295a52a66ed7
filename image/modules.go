package image

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sprintkit/sprintkit/doctor"
	"github.com/sprintkit/sprintkit/internal/goenv"
	"github.com/sprintkit/sprintkit/internal/proc"
)

// ToolchainCheck compares the local go with what go.mod asks for.
type ToolchainCheck struct {
	Local    string // "go1.26.8"; "" when no go is on PATH
	Required string // "go1.22" from the go line
	// OK is false when the local go is missing or older than the go line.
	OK      bool
	Problem string // why not OK, for a person
}

// CheckToolchain checks the local go against the go line with the network
// off: doctor's Go toolchain check with GOTOOLCHAIN=local, so that it never
// tries to switch or download.
func CheckToolchain(ctx context.Context, env []string, goLine string) ToolchainCheck {
	c := doctor.GoToolchain(ctx, doctor.Options{Env: setEnv(env, "GOTOOLCHAIN", "local"), Known: true, Go: true, GoVersion: goLine})
	tc := ToolchainCheck{Local: c.Found, OK: c.Status != doctor.Fail}
	if goLine != "" {
		tc.Required = "go" + goLine
	}
	if !tc.OK {
		tc.Problem = c.Detail + "; with no network go cannot download a newer toolchain"
	}
	return tc
}

// ModOptions controls StageModules.
type ModOptions struct {
	// Cache is the private module cache (GOMODCACHE) that staging fills; its
	// cache/download is what the image carries.
	Cache string
	// Env is the environment go runs with (os.Environ() when nil). Its
	// GOPROXY is where modules come from; the organiser's own module cache
	// (its GOMODCACHE) is tried first, as a file:// proxy.
	Env []string
	// Log receives one line per step, for -v output; may be nil.
	Log func(string)
	// KeepModfile, when set, is a directory where the go.mod and go.sum
	// that go completed while staging are kept, for later go commands
	// that must not modify the project's own (see Modfile).
	KeepModfile string
}

// ModResult is what StageModules staged.
type ModResult struct {
	// Modules are the path@version of every module in the build list that
	// was downloaded, sorted.
	Modules []string
	// Unavailable are modules of the build list that could not be
	// downloaded; no package the project builds or tests comes from them.
	Unavailable []string
	// GoSumAdded counts the lines go had to add to go.sum to build and
	// test the project: 0 when go.sum is complete.
	GoSumAdded int
	// Replaced lists module replacements by local directories, which an
	// image cannot carry unless they are inside the repository.
	Replaced []string
}

// StageModules fills opts.Cache with every module that the project in
// srcDir needs to build and test: `go mod download -json all`, then
// `go list -deps -test ./...`, which must succeed. The project's go.mod and
// go.sum are never modified: go works on copies through -modfile.
func StageModules(ctx context.Context, srcDir string, opts ModOptions) (*ModResult, error) {
	if opts.Cache == "" {
		return nil, errors.New("stage modules: no module cache given")
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			opts.Log(fmt.Sprintf(format, args...))
		}
	}
	tmp, err := os.MkdirTemp("", "sprintkit-modfile-")
	if err != nil {
		return nil, fmt.Errorf("stage modules: %w", err)
	}
	defer os.RemoveAll(tmp)
	modfile := filepath.Join(tmp, "go.mod")
	if err := copySmall(filepath.Join(srcDir, "go.mod"), modfile); err != nil {
		return nil, fmt.Errorf("stage modules: %w", err)
	}
	origSum, err := os.ReadFile(filepath.Join(srcDir, "go.sum"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("stage modules: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.sum"), origSum, 0o644); err != nil {
		return nil, fmt.Errorf("stage modules: %w", err)
	}
	if err := os.MkdirAll(opts.Cache, 0o755); err != nil {
		return nil, fmt.Errorf("stage modules: %w", err)
	}

	proxy := stagingProxy(ctx, env, opts.Cache)
	logf("modules come from GOPROXY=%s", proxy)
	env = setEnv(env, "GOMODCACHE", opts.Cache)
	env = setEnv(env, "GOPROXY", proxy)
	env = setEnv(env, "GOFLAGS", "-mod=mod -modcacherw -modfile="+modfile)
	env = setEnv(env, "GOWORK", "off")

	res := &ModResult{}
	have := map[string]bool{}
	logf("go mod download -json all")
	out, derr := goCmdOutput(ctx, srcDir, env, "mod", "download", "-json", "all")
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var m struct {
			Path, Version, Error string
		}
		if err := dec.Decode(&m); err != nil {
			break
		}
		mv := m.Path + "@" + m.Version
		if m.Error != "" {
			res.Unavailable = append(res.Unavailable, mv)
			continue
		}
		have[mv] = true
	}
	if derr != nil && len(have) == 0 && len(res.Unavailable) == 0 {
		return nil, fmt.Errorf("go mod download all in %s: %w", srcDir, derr)
	}

	logf("go list -deps -test ./...")
	out, err = goCmdOutput(ctx, srcDir, env, "list", "-deps", "-test",
		"-f", `{{with .Module}}{{if not .Main}}{{.Path}}@{{.Version}}{{with .Replace}} => {{.Path}}{{if .Version}}@{{.Version}}{{end}}{{end}}{{end}}{{end}}`, "./...")
	if err != nil {
		return nil, fmt.Errorf("go list -deps -test ./... in %s (a module the tests need could not be downloaded): %w", srcDir, err)
	}
	needed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		mv, repl, isRepl := strings.Cut(line, " => ")
		if isRepl && !strings.Contains(repl, "@") {
			res.Replaced = append(res.Replaced, mv+" => "+repl)
			continue
		}
		if isRepl {
			mv = repl
		}
		needed[mv] = true
		have[mv] = true
	}
	// A module that go list needed is not unavailable after all.
	var unavailable []string
	for _, mv := range res.Unavailable {
		if !needed[mv] && !have[mv] {
			unavailable = append(unavailable, mv)
		}
	}
	res.Unavailable = unavailable
	for mv := range have {
		res.Modules = append(res.Modules, mv)
	}
	sort.Strings(res.Modules)
	sort.Strings(res.Replaced)
	res.Replaced = dedupe(res.Replaced)

	newSum, err := os.ReadFile(filepath.Join(tmp, "go.sum"))
	if err == nil {
		res.GoSumAdded = countNewLines(origSum, newSum)
	}
	if opts.KeepModfile != "" {
		if err := os.MkdirAll(opts.KeepModfile, 0o755); err != nil {
			return nil, fmt.Errorf("stage modules: %w", err)
		}
		for _, name := range []string{"go.mod", "go.sum"} {
			if err := copySmall(filepath.Join(tmp, name), filepath.Join(opts.KeepModfile, name)); err != nil {
				return nil, fmt.Errorf("stage modules: keep %s: %w", name, err)
			}
		}
	}
	logf("%d modules staged, go.sum lacked %d lines", len(res.Modules), res.GoSumAdded)
	return res, nil
}

// stagingProxy returns the GOPROXY for staging: the organiser's module cache
// as a file:// proxy first (no network for what is already there), then
// their GOPROXY.
func stagingProxy(ctx context.Context, env []string, private string) string {
	v, err := goenv.Run(ctx, "go", "", goenv.Set(env, "GOTOOLCHAIN", "local"))
	if err != nil {
		return goenv.Get(env, "GOPROXY")
	}
	cache, proxy := v["GOMODCACHE"], v["GOPROXY"]
	if proxy == "" {
		proxy = "https://proxy.golang.org,direct"
	}
	dl := filepath.Join(cache, "cache", "download")
	if cache == "" || samePath(cache, private) {
		return proxy
	}
	if fi, err := os.Stat(dl); err != nil || !fi.IsDir() {
		return proxy
	}
	return FileURL(dl) + "," + proxy
}

// FileURL returns the file:// URL of a local directory, as GOPROXY wants it
// (file:///C:/x on Windows).
func FileURL(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	s := filepath.ToSlash(abs)
	if !strings.HasPrefix(s, "/") {
		s = "/" + s
	}
	return "file://" + s
}

func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && filepath.Clean(aa) == filepath.Clean(bb)
}

func countNewLines(old, new []byte) int {
	seen := map[string]bool{}
	for _, l := range strings.Split(string(old), "\n") {
		seen[strings.TrimSpace(l)] = true
	}
	n := 0
	for _, l := range strings.Split(string(new), "\n") {
		if l = strings.TrimSpace(l); l != "" && !seen[l] {
			n++
		}
	}
	return n
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func copySmall(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// goCmdOutput runs go with env in dir and returns its stdout; the error
// carries the last lines of stderr.
func goCmdOutput(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := proc.Command(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(lastLines(stderr.String(), 8))
		if msg != "" {
			return out, fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, msg)
		}
		return out, fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return out, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// setEnv returns env with key set to value (replacing earlier settings).
var setEnv = goenv.Set
