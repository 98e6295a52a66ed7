package image

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/internal/state"
)

// EnvVar is one environment variable of an image-based setup.
type EnvVar struct {
	Key, Value string
}

// NewcomerEnv returns the environment that points the go command at a module
// cache seeded from an image (see the package doc for why each is set):
// modcache is the user's GOMODCACHE, userProxy and userNoSumDB their own
// GOPROXY and GONOSUMDB (kept after the image's entries), modulePaths the
// module paths the image staged.
func NewcomerEnv(modcache, userProxy, userNoSumDB string, modulePaths []string) []EnvVar {
	proxy := FileURL(filepath.Join(modcache, "cache", "download"))
	if userProxy != "" && !strings.HasPrefix(userProxy, proxy) {
		proxy += "," + userProxy
	} else if userProxy == "" {
		proxy += ",off"
	}
	nosum := strings.Join(modulePaths, ",")
	if userNoSumDB != "" {
		if nosum != "" {
			nosum += ","
		}
		nosum += userNoSumDB
	}
	vars := []EnvVar{
		{"GOMODCACHE", modcache},
		{"GOPROXY", proxy},
		{"GOFLAGS", "-mod=mod -modcacherw"},
		{"GONOSUMDB", nosum},
		{"GOTOOLCHAIN", "local"},
	}
	return vars
}

// Environ returns base with vars set, for exec.Cmd.Env.
func Environ(base []string, vars []EnvVar) []string {
	env := base
	for _, v := range vars {
		env = setEnv(env, v.Key, v.Value)
	}
	return env
}

// ImageEnvHeader is the first line of .sprintkit/env written by setup
// --from-image.
const ImageEnvHeader = "Written by sprintkit setup --from-image: point go at the modules and build cache this checkout was seeded with from the image."

// WriteEnv writes vars as a POSIX shell file of export lines, to be read
// with `. .sprintkit/env`; header says what wrote it and why.
//
// Format: a comment (the header), a comment on how to read it, then one
// `export KEY='value'` line per variable, the value in single quotes; a
// quote inside it is closed, escaped and reopened. ReadEnv reads it back.
func WriteEnv(w io.Writer, vars []EnvVar, header string) error {
	if _, err := fmt.Fprintln(w, "# "+strings.ReplaceAll(header, "\n", " ")); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(w, "# Read it into a shell with:  . .sprintkit/env"); err != nil {
		return err
	}
	for _, line := range ExportLines(vars, "") {
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// ExportLines returns the lines that set vars in a shell: `export K='v'`
// for POSIX shells, or `$env:K = 'v'` for PowerShell when goos is "windows".
func ExportLines(vars []EnvVar, goos string) []string {
	out := make([]string, 0, len(vars))
	for _, v := range vars {
		if goos == "windows" {
			out = append(out, fmt.Sprintf("$env:%s = '%s'", v.Key, strings.ReplaceAll(v.Value, "'", "''")))
			continue
		}
		out = append(out, fmt.Sprintf("export %s=%s", v.Key, shQuote(v.Value)))
	}
	return out
}

func shQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:,=+@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// envKeys are the settings sprintkit writes to .sprintkit/env and reads
// back: the go command's, nothing else.
var envKeys = map[string]bool{"GOMODCACHE": true, "GOPROXY": true, "GOFLAGS": true, "GONOSUMDB": true, "GOTOOLCHAIN": true, "GOCACHE": true}

// ReadEnv reads a file WriteEnv wrote (name is for messages): comments
// and blank lines are skipped, and so is an export of a variable that is
// not one of the go command's settings sprintkit writes; a line that is
// not an `export KEY=value` line in that form is an error naming
// name:line.
func ReadEnv(r io.Reader, name string) ([]EnvVar, error) {
	var vars []EnvVar
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rest, ok := strings.CutPrefix(line, "export ")
		key, val, ok2 := strings.Cut(rest, "=")
		if !ok || !ok2 {
			return nil, fmt.Errorf("%s:%d: want export KEY=value, got %q", name, n, line)
		}
		v, ok := shUnquote(val)
		if !ok {
			return nil, fmt.Errorf("%s:%d: the value of %s is not quoted as sprintkit writes it", name, n, key)
		}
		if envKeys[key] {
			vars = append(vars, EnvVar{key, v})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return vars, nil
}

// shUnquote undoes shQuote.
func shUnquote(s string) (string, bool) {
	if !strings.HasPrefix(s, "'") {
		return s, !strings.ContainsAny(s, "'\"\\$` \t")
	}
	var b strings.Builder
	for {
		body, rest, ok := strings.Cut(s[1:], "'")
		if !ok {
			return "", false
		}
		b.WriteString(body)
		if rest == "" {
			return b.String(), true
		}
		after, ok := strings.CutPrefix(rest, `\''`)
		if !ok {
			return "", false
		}
		b.WriteByte('\'')
		s = "'" + after
	}
}

// CheckoutEnviron returns the environment for the go commands of the
// checkout at dir: base (os.Environ() when nil) with the settings of its
// .sprintkit/env (the checkout's own module and build caches after setup
// --from-image, a sprint server's proxy), or nil when it has none.
func CheckoutEnviron(dir string, base []string) ([]string, error) {
	name := state.Path(dir, state.EnvFile)
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vars, err := ReadEnv(f, name)
	if err != nil || len(vars) == 0 {
		return nil, err
	}
	if base == nil {
		base = os.Environ()
	}
	return Environ(base, vars), nil
}
