package image

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
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

// WriteEnv writes vars as a POSIX shell file of export lines, to be read
// with `. .sprintkit/env`.
//
// Format: a comment, then one `export KEY='value'` line per variable, the
// value in single quotes; a quote inside it is closed, escaped and reopened.
func WriteEnv(w io.Writer, vars []EnvVar) error {
	if _, err := fmt.Fprintln(w, "# Written by sprintkit setup --from-image: point go at the modules staged in the image."); err != nil {
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
