package browser

import (
	"errors"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// env is a machine with the variables vars and the programs progs on PATH.
func env(goos string, vars map[string]string, progs ...string) Env {
	return Env{
		GOOS:   goos,
		Getenv: func(k string) string { return vars[k] },
		LookPath: func(p string) (string, error) {
			for _, q := range progs {
				if q == p {
					return "/usr/bin/" + p, nil
				}
			}
			return "", exec.ErrNotFound
		},
	}
}

func TestOpenerAndNextLine(t *testing.T) {
	x11 := map[string]string{"DISPLAY": ":0"}
	tests := []struct {
		name   string
		env    Env
		opener string // "" when there is none
		next   string // the Next: line for /r/index.html shown as r/index.html
	}{
		{"a Linux desktop with xdg-open opens with it", env("linux", x11, "xdg-open"), "xdg-open", "xdg-open r/index.html"},
		{"a Wayland desktop counts as a desktop", env("linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, "xdg-open"), "xdg-open", "xdg-open r/index.html"},
		{"Linux without a display offers the file URL", env("linux", nil, "xdg-open"), "", "file:///r/index.html"},
		{"a desktop without xdg-open offers the file URL", env("linux", x11), "", "file:///r/index.html"},
		{"WSL opens with wslview even without a display", env("linux", map[string]string{"WSL_DISTRO_NAME": "Ubuntu"}, "wslview"), "wslview", "wslview r/index.html"},
		{"a BSD desktop opens with xdg-open", env("freebsd", x11, "xdg-open"), "xdg-open", "xdg-open r/index.html"},
		{"macOS opens with open", env("darwin", nil, "open"), "open", "open r/index.html"},
		{"Windows opens through url.dll and shows start", env("windows", nil), "rundll32", "start r/index.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, err := tt.env.Opener()
			switch {
			case tt.opener == "" && !errors.Is(err, ErrNoOpener):
				t.Fatalf("Opener() = %v, %v; want ErrNoOpener", op, err)
			case tt.opener != "" && (err != nil || op[0] != tt.opener):
				t.Fatalf("Opener() = %v, %v; want %s", op, err, tt.opener)
			}
			if runtime.GOOS == "windows" && strings.HasPrefix(tt.next, "file:") {
				return // /r/index.html is not absolute there
			}
			if got := tt.env.NextLine("/r/index.html", "r/index.html"); got != tt.next {
				t.Errorf("NextLine = %q, want %q", got, tt.next)
			}
		})
	}
}

func TestFileURLIsAbsoluteAndEscaped(t *testing.T) {
	dir := t.TempDir()
	got := FileURL(filepath.Join(dir, "my report", "index.html"))
	if !strings.HasPrefix(got, "file:///") || !strings.HasSuffix(got, "/my%20report/index.html") {
		t.Errorf("FileURL = %q", got)
	}
}
