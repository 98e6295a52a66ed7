// Package goenv reads the environment as a child process gets it: one
// lookup in an environment list (os.Environ's form, "KEY=value"), whose
// names are case-insensitive on Windows as Windows has them (it spells PATH
// "Path"), and one runner of `go env -json`, cached for the life of the
// process.
package goenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync"
)

// Get is the value of key in env, "" when it is not set. When env sets key
// twice the last one counts, as os/exec passes it on. On Windows names match
// whatever their case.
func Get(env []string, key string) string {
	v, _ := LookupOS(env, key, runtime.GOOS)
	return v
}

// Set returns a copy of env with key set to value, its earlier settings
// (in any case, on Windows) left out.
func Set(env []string, key, value string) []string {
	return set(env, key, value, runtime.GOOS)
}

// LookupOS returns the value of key in env and whether it is set there, as
// on the system goos (a GOOS value): names match whatever their case on
// "windows" only.
func LookupOS(env []string, key, goos string) (string, bool) {
	v, found := "", false
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && sameKey(k, key, goos) {
			v, found = val, true
		}
	}
	return v, found
}

func set(env []string, key, value, goos string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if k, _, ok := strings.Cut(kv, "="); ok && sameKey(k, key, goos) {
			continue
		}
		out = append(out, kv)
	}
	return append(out, key+"="+value)
}

func sameKey(a, b, goos string) bool {
	if goos == "windows" {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// Names are the variables Run asks go env for. Only these: the whole
// listing probes the C compiler (CGO_CFLAGS, GOGCCFLAGS) and writes its
// answers into GOCACHE, so it would write into a cache setup must leave
// alone (the user's own, when setup fills a checkout's own from an image).
var Names = []string{"GOARCH", "GOBIN", "GOCACHE", "GOENV", "GOFLAGS", "GOMODCACHE", "GONOPROXY", "GONOSUMDB",
	"GOOS", "GOPATH", "GOPRIVATE", "GOPROXY", "GOROOT", "GOSUMDB", "GOTOOLCHAIN", "GOVERSION", "GOWORK"}

// Vars are the variables `go env -json` prints: GOVERSION, GOMODCACHE,
// GOPROXY, GOROOT and the rest.
type Vars map[string]string

type key struct{ goBin, dir, env string }

var (
	mu    sync.Mutex
	cache = map[key]Vars{}
)

// Run runs `goBin env -json` in dir with env (nil: the process's own) and
// returns its variables; goBin "" is "go" from PATH. What the go command
// says depends only on these and on files a run of sprintkit does not
// change, so each distinct call runs it once per process and shares the
// answer; a failure is not kept, and its error wraps the *exec.ExitError
// and quotes the go command's first line of complaint.
func Run(ctx context.Context, goBin, dir string, env []string) (Vars, error) {
	if goBin == "" {
		goBin = "go"
	}
	k := key{goBin, dir, strings.Join(env, "\x00")}
	if env == nil {
		k.env = "\x01" // the process's environment, apart from an empty one
	}
	mu.Lock()
	v, ok := cache[k]
	mu.Unlock()
	if ok {
		return v, nil
	}
	cmd := exec.CommandContext(ctx, goBin, append([]string{"env", "-json"}, Names...)...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		var first string
		if ee, ok := err.(*exec.ExitError); ok {
			first, _, _ = strings.Cut(string(bytes.TrimSpace(ee.Stderr)), "\n")
		}
		if first != "" {
			return nil, fmt.Errorf("%s env: %w: %s", goBin, err, first)
		}
		return nil, fmt.Errorf("%s env: %w", goBin, err)
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("%s env -json: %w", goBin, err)
	}
	mu.Lock()
	cache[k] = v
	mu.Unlock()
	return v, nil
}

// Var is the variable name of `go env` in the process's own environment and
// directory, "" when go env fails: Run's answer, kept like it.
func Var(ctx context.Context, name string) string {
	vars, _ := Run(ctx, "", "", nil)
	return vars[name]
}
