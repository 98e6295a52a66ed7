// Package browser opens a local file in the user's default browser, and
// names the command that does it, for "Next:" lines a person pastes. It
// picks the opener the machine has: on Linux and the BSDs a desktop
// (DISPLAY or WAYLAND_DISPLAY) and xdg-open (or, under WSL, wslview, which
// opens the Windows browser and needs no display); on macOS open; on
// Windows url.dll's FileProtocolHandler. When there is none, the report is
// offered as a file:// URL to paste into a browser.
package browser

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Env is what picking an opener reads of the machine: the variables and
// the programs on PATH.
type Env struct {
	GOOS     string
	Getenv   func(string) string
	LookPath func(string) (string, error)
}

// Host is the Env of this process.
func Host() Env {
	return Env{GOOS: runtime.GOOS, Getenv: os.Getenv, LookPath: exec.LookPath}
}

// ErrNoOpener says the machine has no program that opens a browser.
var ErrNoOpener = errors.New("no browser opener found")

// Opener returns the program and its leading arguments that open a file in
// the default browser under e, or an error wrapping ErrNoOpener that says
// what is missing.
func (e Env) Opener() ([]string, error) {
	switch e.GOOS {
	case "darwin":
		if _, err := e.LookPath("open"); err != nil {
			return nil, fmt.Errorf("open is not on PATH: %w", ErrNoOpener)
		}
		return []string{"open"}, nil
	case "windows":
		return []string{"rundll32", "url.dll,FileProtocolHandler"}, nil
	}
	if e.Getenv("WSL_DISTRO_NAME") != "" {
		if _, err := e.LookPath("wslview"); err == nil {
			return []string{"wslview"}, nil
		}
	}
	if e.Getenv("DISPLAY") == "" && e.Getenv("WAYLAND_DISPLAY") == "" {
		return nil, fmt.Errorf("no desktop (neither DISPLAY nor WAYLAND_DISPLAY is set): %w", ErrNoOpener)
	}
	for _, p := range []string{"xdg-open", "wslview"} {
		if _, err := e.LookPath(p); err == nil {
			return []string{p}, nil
		}
	}
	return nil, fmt.Errorf("neither xdg-open nor wslview is on PATH: %w", ErrNoOpener)
}

// Command is the shell command that opens a file in the default browser on
// goos: "xdg-open" (Linux, BSDs), "open" (macOS), "start" (Windows: cmd.exe
// and PowerShell both have it).
func Command(goos string) string {
	switch goos {
	case "darwin":
		return "open"
	case "windows":
		return "start"
	}
	return "xdg-open"
}

// NextLine is what a "Next:" line offers for the report at path: the
// command that opens it (shown is how the user names the path) when e has
// an opener, else its file:// URL to paste into a browser.
func (e Env) NextLine(path, shown string) string {
	op, err := e.Opener()
	if err != nil {
		return FileURL(path)
	}
	cmd := Command(e.GOOS)
	if e.GOOS != "windows" {
		cmd = op[0] // wslview, where xdg-open is not
	}
	return cmd + " " + shown
}

// FileURL is the file:// URL of path (made absolute): file:///home/a/x.html,
// file:///C:/Users/a/x.html.
func FileURL(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x on Windows
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// Open opens path in the default browser without waiting for it. When the
// machine has no opener, or the opener cannot start, the error says so
// (wrapping ErrNoOpener in the first case).
func Open(path string) error {
	op, err := Host().Opener()
	if err != nil {
		return err
	}
	cmd := exec.Command(op[0], append(op[1:], path)...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", op[0], err)
	}
	go cmd.Wait()
	return nil
}
