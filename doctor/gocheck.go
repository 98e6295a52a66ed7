package doctor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"go/version"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/sprintkit/sprintkit/internal/goenv"
)

// The Go toolchain check
//
// Since Go 1.21 the go line of go.mod is a minimum: a go command older than
// it does not build the module. What happens then depends on GOTOOLCHAIN
// (https://go.dev/doc/toolchain):
//
//   - "local": nothing; every go command fails with "go.mod requires go >=
//     1.99 (running go 1.26.8; GOTOOLCHAIN=local)";
//   - "auto" (the default, short for "local+auto"): go downloads the newer
//     toolchain as the module golang.org/toolchain from GOPROXY, and needs the
//     network for it the first time;
//   - "path" ("local+path"): go looks for a "go1.99" program on PATH;
//   - "go1.23" or "go1.23+auto": that version at least, fetched if needed.
//
// A toolchain line newer than the local go makes "auto" switch too, but a
// local go that meets the go line can still build, so only the go line can
// fail the check. When a download would be needed, the first GOPROXY entry is
// probed (…/golang.org/toolchain/@v/list) with a short timeout, so that
// "no network" is reported before anything is cloned or built.

type goEnvVars struct {
	GOVERSION   string
	GOTOOLCHAIN string
	GOPROXY     string
	GOROOT      string
}

// GoToolchain checks the go command against the project's go line.
func GoToolchain(ctx context.Context, opts Options) Check {
	c := Check{ID: "go", Name: "Go toolchain"}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	wantLine := ""
	if opts.GoVersion != "" {
		wantLine = " (go.mod: go " + opts.GoVersion + ")"
	}
	goBin := lookPath(env, "go")
	if goBin == "" {
		c.Status = Warn
		if opts.Known && opts.Go {
			c.Status = Fail
		}
		c.Detail = "no go command on PATH" + wantLine
		c.Hint = "install Go from https://go.dev/dl/ and open a new terminal"
		return c
	}
	// go env runs outside the project, so a too-new go line there cannot
	// make it fail or start a download.
	vars, err := goenv.Run(ctx, goBin, os.TempDir(), append(env, "GOWORK=off"))
	ge := goEnvVars{GOVERSION: vars["GOVERSION"], GOTOOLCHAIN: vars["GOTOOLCHAIN"], GOPROXY: vars["GOPROXY"], GOROOT: vars["GOROOT"]}
	if err != nil {
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s env failed: %s", goBin, exitText(err))
		c.Hint = "reinstall Go from https://go.dev/dl/, or check GOTOOLCHAIN and GOROOT in 'go env'"
		return c
	}
	local := ge.GOVERSION
	if i := strings.IndexByte(local, ' '); i >= 0 { // "go1.26.8 X:boringcrypto"
		local = local[:i]
	}
	c.Detail = local
	c.Found = local
	if opts.GoVersion == "" {
		c.Status = OK
		switch {
		case opts.Transport != "":
			c.Detail = local + " (the go line is checked after the clone)"
		case !opts.Known:
			c.Detail = local + " (no go.mod here, so no go line to check)"
		}
		return c
	}
	need := "go" + opts.GoVersion
	if !version.IsValid(need) {
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s; go.mod's go line %q is not a Go version", local, opts.GoVersion)
		c.Hint = "fix the go line of go.mod (for example 'go 1.22')"
		return c
	}

	mode := ge.GOTOOLCHAIN
	if mode == "" {
		mode = "auto"
	}
	base, suffix, _ := strings.Cut(mode, "+")
	switch base {
	case "auto", "path":
		base, suffix = "local", base
	}
	min := local // the toolchain go would run before looking at go.mod
	if base != "local" {
		min = base
	}
	gtc := "GOTOOLCHAIN=" + mode

	if version.Compare(min, need) >= 0 {
		c.Status = OK
		c.Detail = fmt.Sprintf("%s%s; %s builds with it", local, wantLine, gtc)
		if min != local {
			// A forced version other than the local one: go runs that one.
			return switchTo(ctx, c, opts, ge, gtc, min, wantLine)
		}
		if opts.Toolchain != "" && version.IsValid(opts.Toolchain) && version.Compare(opts.Toolchain, local) > 0 {
			return newerToolchainLine(ctx, c, opts, ge, env, gtc, local, suffix, wantLine)
		}
		return c
	}
	// The go line is newer than what go would run.
	switch suffix {
	case "":
		c.Status = Fail
		c.Detail = fmt.Sprintf("go.mod needs go ≥ %s, this is %s, and %s will not fetch a newer one", opts.GoVersion, local, gtc)
		c.Hint = fmt.Sprintf("install %s or newer from https://go.dev/dl/, or unset GOTOOLCHAIN (go env -u GOTOOLCHAIN) so go can download it", need)
		return c
	case "path":
		if p := lookPath(env, need); p != "" {
			c.Status = OK
			c.Detail = fmt.Sprintf("%s; go.mod needs go ≥ %s, %s will run %s", local, opts.GoVersion, gtc, p)
			return c
		}
		c.Status = Fail
		c.Detail = fmt.Sprintf("go.mod needs go ≥ %s, this is %s, and %s finds no %s on PATH", opts.GoVersion, local, gtc, need)
		c.Hint = fmt.Sprintf("go install golang.org/dl/%s@latest && %s download, or install it from https://go.dev/dl/", need, need)
		return c
	}
	want := need
	if opts.Toolchain != "" && version.Compare(opts.Toolchain, want) > 0 {
		want = opts.Toolchain
	}
	c.Detail = fmt.Sprintf("go.mod needs go ≥ %s, this is %s", opts.GoVersion, local)
	return switchTo(ctx, c, opts, ge, gtc, want, "")
}

// newerToolchainLine checks go.mod's toolchain line when it asks for a
// newer go than the local one, which builds the go line: auto fetches it,
// path looks for it; either failing stops every go command.
func newerToolchainLine(ctx context.Context, c Check, opts Options, ge goEnvVars, env []string, gtc, local, suffix, wantLine string) Check {
	c.Detail = fmt.Sprintf("%s (go.mod: go %s, toolchain %s)", local, opts.GoVersion, opts.Toolchain)
	switch suffix {
	case "auto":
		return switchTo(ctx, c, opts, ge, gtc, opts.Toolchain, wantLine)
	case "path":
		if p := lookPath(env, opts.Toolchain); p != "" {
			c.Detail += fmt.Sprintf("; %s will run %s", gtc, p)
			return c
		}
		c.Status = Fail
		c.Detail += fmt.Sprintf("; %s finds no %s on PATH", gtc, opts.Toolchain)
		c.Hint = fmt.Sprintf("go install golang.org/dl/%s@latest && %s download", opts.Toolchain, opts.Toolchain)
		return c
	}
	return c
}

// switchTo reports what happens when go must run toolchain want instead of
// the local one: a download from GOPROXY, which needs the network.
func switchTo(ctx context.Context, c Check, opts Options, ge goEnvVars, gtc, want, wantLine string) Check {
	proxy := firstProxy(ge.GOPROXY)
	prefix := c.Detail
	installHint := fmt.Sprintf("install %s or newer from https://go.dev/dl/ while you have network", strings.TrimSuffix(want, ".0"))
	switch proxy {
	case "off":
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s; %s would download %s, but GOPROXY=off", prefix, gtc, want)
		c.Hint = installHint + ", or set GOPROXY=https://proxy.golang.org"
		return c
	case "direct", "":
		c.Status = Warn
		c.Detail = fmt.Sprintf("%s; %s will download %s from its source (GOPROXY=%s) on first use", prefix, gtc, want, ge.GOPROXY)
		c.Hint = "keep the network on for the first build, or " + installHint
		return c
	}
	if dir, ok := fileProxyDir(proxy); ok {
		return switchFromDir(c, prefix, gtc, want, proxy, dir, installHint)
	}
	timeout := opts.ProxyTimeout
	if timeout == 0 {
		timeout = 3 * time.Second
	}
	found, err := probeToolchain(ctx, proxy, want, timeout)
	switch {
	case err != nil:
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s; %s would download %s, but the module proxy %s is unreachable (%v)", prefix, gtc, want, proxy, err)
		c.Hint = installHint + ", or connect to the network and run 'sprintkit doctor' again"
	case !found:
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s; %s would download %s, but %s has no such toolchain for %s/%s", prefix, gtc, want, proxy, runtime.GOOS, runtime.GOARCH)
		c.Hint = "check the go line of go.mod: that Go version does not exist (yet)"
	default:
		c.Status = Warn
		c.Detail = fmt.Sprintf("%s; %s will download %s (about 70 MB) on first use", prefix, gtc, want)
		c.Hint = "keep the network on for the first build, or " + installHint
	}
	return c
}

// fileProxyDir returns the directory of a file:// module proxy URL.
func fileProxyDir(proxy string) (string, bool) {
	u, err := url.Parse(proxy)
	if err != nil || u.Scheme != "file" {
		return "", false
	}
	p := u.Path
	if runtime.GOOS == "windows" && len(p) > 2 && p[0] == '/' && p[2] == ':' {
		p = p[1:] // file:///C:/x
	}
	return filepath.FromSlash(p), true
}

// switchFromDir is switchTo for a file:// module proxy: a directory on
// this machine, which is read, never dialled; from it go switches with no
// network.
func switchFromDir(c Check, prefix, gtc, want, proxy, dir, installHint string) Check {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		why := "it is not a directory"
		if err != nil {
			why = err.Error()
		}
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s; %s would fetch %s from the module proxy %s, but that directory is not there (%s)", prefix, gtc, want, proxy, why)
		c.Hint = installHint + ", or point GOPROXY at the directory that holds the module proxy"
		return c
	}
	f, err := os.Open(filepath.Join(dir, "golang.org", "toolchain", "@v", "list"))
	found := false
	if err == nil {
		found = toolchainListed(f, want)
		f.Close()
	}
	if !found {
		c.Status = Fail
		c.Detail = fmt.Sprintf("%s; %s would fetch %s, but the module proxy directory %s has no such toolchain for %s/%s", prefix, gtc, want, dir, runtime.GOOS, runtime.GOARCH)
		c.Hint = installHint + ", or add that toolchain to the module proxy directory"
		return c
	}
	c.Status = OK
	c.Detail = fmt.Sprintf("%s; %s will fetch %s from the module proxy directory %s on first use (no network needed)", prefix, gtc, want, dir)
	return c
}

func firstProxy(p string) string {
	if p == "" {
		return ""
	}
	p = strings.FieldsFunc(p, func(r rune) bool { return r == ',' || r == '|' })[0]
	return strings.TrimRight(strings.TrimSpace(p), "/")
}

// probeToolchain asks proxy whether golang.org/toolchain has want for this
// platform: a language version ("go1.99") matches any of its releases.
func probeToolchain(ctx context.Context, proxy, want string, timeout time.Duration) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", proxy+"/golang.org/toolchain/@v/list", nil)
	if err != nil {
		return false, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return false, fmt.Errorf("no answer within %v", timeout)
		}
		return false, shortNetErr(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return false, nil
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("%s", resp.Status)
	}
	if toolchainListed(resp.Body, want) {
		return true, nil
	}
	if ctx.Err() != nil {
		return false, fmt.Errorf("no answer within %v", timeout)
	}
	return false, nil
}

// toolchainListed reports whether a golang.org/toolchain/@v/list names want
// for this platform: a language version ("go1.99") matches any of its
// releases.
func toolchainListed(r io.Reader, want string) bool {
	plat := "." + runtime.GOOS + "-" + runtime.GOARCH
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		v := strings.TrimSpace(sc.Text()) // v0.0.1-go1.99.0.linux-amd64
		v = strings.TrimPrefix(v, "v0.0.1-")
		if !strings.HasSuffix(v, plat) {
			continue
		}
		v = strings.TrimSuffix(v, plat)
		if v == want || version.Lang(v) == want || version.Compare(v, want) == 0 {
			return true
		}
	}
	return false
}

func shortNetErr(err error) error {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return fmt.Errorf("%s", s)
}

// lookPath finds an executable named name on the PATH of env.
func lookPath(env []string, name string) string {
	return lookPathOS(env, name, runtime.GOOS)
}

// lookPathOS is lookPath as it is on the system goos: Windows spells PATH
// "Path", and finds name.exe, name.bat or name.cmd without execute bits.
func lookPathOS(env []string, name, goos string) string {
	exts := []string{""}
	if goos == "windows" {
		exts = []string{".exe", ".bat", ".cmd", ""}
	}
	path, _ := goenv.LookupOS(env, "PATH", goos)
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		for _, ext := range exts {
			p := filepath.Join(dir, name+ext)
			fi, err := os.Stat(p)
			if err != nil || fi.IsDir() {
				continue
			}
			if goos != "windows" && fi.Mode()&0o111 == 0 {
				continue
			}
			return p
		}
	}
	return ""
}

func exitText(err error) string {
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return strings.TrimSpace(strings.SplitN(string(ee.Stderr), "\n", 2)[0])
	}
	return err.Error()
}
