package onboard

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/sprintkit/sprintkit/internal/browser"
	"github.com/sprintkit/sprintkit/internal/goenv"
)

// Abs is filepath.Abs, or p itself when the working directory is gone.
func Abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// Rel returns p relative to the working directory when it is below it,
// else p as it is.
func Rel(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	return relTo(p, wd)
}

// relTo returns p relative to base when it is below it, else p.
func relTo(p, base string) string {
	r, err := filepath.Rel(base, Abs(p))
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return p
	}
	return r
}

// OpenLine is the "Next:" line that opens the report at path (shown
// relative to dir): the command that opens it in a browser here, or its
// file:// URL when this machine has no opener (no desktop, no xdg-open).
func OpenLine(path, dir string) string { return browser.Host().NextLine(path, relTo(path, dir)) }

// Self is how the user runs this sprintkit again: "sprintkit" when that
// name on PATH is this very binary; the path `go install` puts it at when
// this is a `go run` binary (which go deletes when sprintkit exits; see
// Install); else the running binary's path (a binary run from an image).
func Self() string {
	_, self := selfCommands()
	return self
}

// Install is the command that puts sprintkit where Self says, when this is
// a `go run` binary; "" otherwise.
func Install() string {
	install, _ := selfCommands()
	return install
}

// selfCommands is selfCommand, worked out once per process: it looks
// sprintkit up on PATH and may run go env twice.
var selfCommands = sync.OnceValues(selfCommand)

func selfCommand() (install, self string) {
	exe, err := os.Executable()
	if err != nil {
		return "", "sprintkit"
	}
	if e, err := filepath.EvalSymlinks(exe); err == nil {
		exe = e
	}
	if onPath, err := exec.LookPath("sprintkit"); err == nil {
		if p, err := filepath.EvalSymlinks(onPath); err == nil && sameFile(p, exe) {
			return "", "sprintkit"
		}
	}
	if !strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return "", exe
	}
	// go run: the source is where this file was compiled from.
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", "sprintkit"
	}
	src := filepath.Dir(filepath.Dir(file)) // onboard/paths.go
	install = "go install -C " + src + " ./cmd/sprintkit"
	bin := goenv.Var(context.Background(), "GOBIN")
	if bin == "" {
		if gp := goenv.Var(context.Background(), "GOPATH"); gp != "" {
			bin = filepath.Join(filepath.SplitList(gp)[0], "bin")
		}
	}
	if bin == "" {
		return install, "sprintkit"
	}
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if d == bin {
			return install, "sprintkit"
		}
	}
	return install, filepath.Join(bin, "sprintkit")
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
