package image

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/internal/goenv"
	"github.com/sprintkit/sprintkit/internal/testkit"
)

// hashTree hashes the listing of dir (every name, type and mode) and the
// contents of its files: equal hashes mean a tree left byte for byte as
// it was.
func hashTree(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %s %d\n", filepath.ToSlash(rel), fi.Mode(), fi.Size())
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// realGOCACHE is the build cache of the go command running the tests.
var realGOCACHE = sync.OnceValue(func() string {
	out, _ := exec.Command("go", "env", "GOCACHE").Output()
	return strings.TrimSpace(string(out))
})

// withCacheHome gives a newcomer's environment a user cache directory
// (XDG_CACHE_HOME) of its own under dir, where setup makes the checkout's
// module cache, and keeps the go command's build cache where it was
// unless env names one.
func withCacheHome(env []string, dir string) []string {
	if goenv.Get(env, "GOCACHE") == "" {
		env = setEnv(env, "GOCACHE", realGOCACHE())
	}
	return setEnv(env, "XDG_CACHE_HOME", filepath.Join(dir, "cache-home"))
}

// goIn runs the go command in dir with env and returns its trimmed stdout.
func goIn(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// plantedStrings makes, as an attacker with the same Go release would, a
// build cache entry pair for the standard library's strings package: the
// real compile action ID (from compiling strings in the cache gocache) and
// an output compiled from a strings.ToUpper that returns "PLANTED". It
// returns the entries' paths inside a build cache and their contents.
func plantedStrings(t *testing.T, dir, gocache string, env []string) map[string]string {
	t.Helper()
	real := goIn(t, dir, setEnv(env, "GOCACHE", gocache), "list", "-export", "-f", "{{.Export}}", "strings")
	realOut := strings.TrimSuffix(filepath.Base(real), "-d")
	var actionID string
	filepath.WalkDir(gocache, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, "-a") {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), realOut) {
				actionID = strings.TrimSuffix(filepath.Base(p), "-a")
			}
		}
		return nil
	})
	if actionID == "" {
		t.Fatalf("no action entry in %s leads to strings' output %s", gocache, realOut)
	}
	goroot := goIn(t, dir, env, "env", "GOROOT")
	src := filepath.Join(goroot, "src", "strings", "strings.go")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	evil := strings.Replace(string(b), "func ToUpper(s string) string {", "func ToUpper(s string) string { return \"PLANTED\" }\n\nfunc toUpperReal(s string) string {", 1)
	evilFile := filepath.Join(dir, "evil-strings.go")
	overlay := filepath.Join(dir, "overlay.json")
	testkit.WriteTree(t, dir, map[string]string{
		"evil-strings.go": evil,
		"overlay.json":    fmt.Sprintf(`{"Replace":{%q:%q}}`, src, evilFile),
	})
	// The attacker's cache starts as a copy of gocache, so that only
	// strings is compiled again.
	attacker := filepath.Join(dir, "attacker-gocache")
	if err := os.CopyFS(attacker, os.DirFS(gocache)); err != nil {
		t.Fatal(err)
	}
	planted := goIn(t, dir, setEnv(env, "GOCACHE", attacker), "list", "-overlay", overlay, "-export", "-f", "{{.Export}}", "strings")
	out, err := os.ReadFile(planted)
	if err != nil {
		t.Fatal(err)
	}
	outID := fmt.Sprintf("%x", sha256.Sum256(out))
	return map[string]string{
		actionID[:2] + "/" + actionID + "-a": fmt.Sprintf("v1 %s %s %20d %20d\n", actionID, outID, len(out), time.Now().UnixNano()),
		outID[:2] + "/" + outID + "-d":       string(out),
	}
}

// TestAPlantedBuildCacheEntryNeverReachesTheUsersGOCACHE edits an image as
// an attacker would: a planted -a/-d pair for the standard library's
// strings package in gocache/, the manifest written again to match. Setup
// from it leaves the user's GOCACHE byte for byte as it was (the entries
// go to the checkout's own cache only), and another project built
// afterwards with the user's cache prints what strings.ToUpper really
// returns. A control shows that the pair does take effect in a cache it
// reaches.
func TestAPlantedBuildCacheEntryNeverReachesTheUsersGOCACHE(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the standard library's strings package, and a program with it")
	}
	testkit.NeedGo(t)
	dir := t.TempDir()
	env := userEnv(filepath.Join(dir, "user-gomodcache"))
	userGC := filepath.Join(dir, "user-gocache")
	victim := filepath.Join(dir, "victim")
	testkit.WriteTree(t, victim, map[string]string{
		"go.mod":  "module example.com/victim\n\ngo 1.21\n",
		"main.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\nfunc main() { fmt.Println(strings.ToUpper(\"real\")) }\n",
	})
	// The user's cache holds what building the victim compiled.
	if got := goIn(t, victim, setEnv(env, "GOCACHE", userGC), "run", "."); got != "REAL" {
		t.Fatalf("the victim printed %q before anything was planted", got)
	}
	plant := plantedStrings(t, dir, userGC, env)

	// The control: a cache the pair reaches builds the planted code.
	control := filepath.Join(dir, "control-gocache")
	if err := os.CopyFS(control, os.DirFS(userGC)); err != nil {
		t.Fatal(err)
	}
	testkit.WriteTree(t, control, plant)
	if got := goIn(t, victim, setEnv(env, "GOCACHE", control), "run", "."); got != "PLANTED" {
		t.Fatalf("the planted pair does not take effect in a cache it reaches (printed %q): this test would prove nothing", got)
	}

	img := handImage(t, dir)
	planted := map[string]string{}
	for rel, content := range plant {
		planted[BuildCacheDir+"/"+rel] = content
	}
	testkit.WriteTree(t, img, planted)
	v := strings.Fields(goIn(t, dir, env, "env", "GOVERSION", "GOOS", "GOARCH"))
	writeManifestWith(t, img, &BuildCacheInfo{GoVersion: v[0], GOOS: v[1], GOARCH: v[2], Flags: BuildCacheFlags, Entries: 4})

	before := hashTree(t, userGC)
	dest := filepath.Join(dir, "checkout")
	res, err := SetupFromImage(context.Background(), SetupOptions{Image: img, Dir: dest, Env: setEnv(env, "GOCACHE", userGC)})
	if err != nil {
		t.Fatal(err)
	}
	if res.BuildCache == nil || !res.BuildCache.Used {
		t.Fatalf("the image's build cache was not used (%v): the test shows nothing", res.BuildCache)
	}
	if after := hashTree(t, userGC); after != before {
		t.Errorf("setup changed the user's GOCACHE %s", userGC)
	}
	for rel := range plant {
		if _, err := os.Stat(filepath.Join(dest, ".sprintkit", "gocache", filepath.FromSlash(rel))); err != nil {
			t.Errorf("the checkout's own cache lacks the image's %s: %v", rel, err)
		}
	}
	if got := goIn(t, victim, setEnv(env, "GOCACHE", userGC), "run", "."); got != "REAL" {
		t.Errorf("another project built with the user's GOCACHE printed %q, want REAL", got)
	}
}

// rewriteZip replaces dep.go in the image's example.com/dep zip with
// other code, as an attacker would, keeping the zip's .ziphash, and writes
// the manifest again to match.
func rewriteZip(t *testing.T, img string) {
	t.Helper()
	proxy := filepath.Join(img, filepath.FromSlash(ProxyDir))
	zh := filepath.Join(proxy, "example.com/dep/@v/v1.0.0.ziphash")
	keep, err := os.ReadFile(zh)
	if err != nil {
		t.Fatal(err)
	}
	writeProxyModule(t, proxy, "example.com/dep", "v1.0.0", map[string]string{"dep.go": "package dep\n\nconst V = 666\n"})
	if err := os.WriteFile(zh, keep, 0o644); err != nil {
		t.Fatal(err)
	}
	writeManifest(t, img)
}

func TestSetupChecksEveryModuleZipBeforeWritingAnything(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	cases := []struct {
		name   string
		tamper func(t *testing.T, img string)
		detail string // what the refusal says of example.com/dep@v1.0.0
	}{
		{"a zip rewritten with its .ziphash kept", rewriteZip, "its zip hashes to h1:"},
		{"a zip and its .ziphash rewritten together, against the project's go.sum", func(t *testing.T, img string) {
			proxy := filepath.Join(img, filepath.FromSlash(ProxyDir))
			sum := writeProxyModule(t, proxy, "example.com/dep", "v1.0.0", map[string]string{"dep.go": "package dep\n\nconst V = 666\n"})
			testkit.WriteTree(t, proxy, map[string]string{"example.com/dep/@v/v1.0.0.ziphash": strings.Fields(sum)[2]})
			writeManifest(t, img)
		}, "the project's go.sum says"},
		{"a go.mod rewritten, against the project's go.sum", func(t *testing.T, img string) {
			testkit.WriteTree(t, filepath.Join(img, filepath.FromSlash(ProxyDir)), map[string]string{"example.com/dep/@v/v1.0.0.mod": "module example.com/dep\n\ngo 1.21\n\nrequire example.com/evil v1.0.0\n"})
			writeManifest(t, img)
		}, "its go.mod hashes to"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			img := handImage(t, dir)
			tc.tamper(t, img)
			mc := userCache(t, dir)
			before := hashTree(t, mc)
			dest := filepath.Join(dir, "checkout")
			_, err := SetupFromImage(context.Background(), SetupOptions{Image: img, Dir: dest, Env: userEnv(mc)})
			var me *ModuleError
			if !errors.As(err, &me) || len(me.Problems) != 1 || me.Problems[0].Module != "example.com/dep@v1.0.0" || !strings.Contains(me.Problems[0].Detail, tc.detail) {
				t.Fatalf("setup returned %v, want a *ModuleError naming example.com/dep@v1.0.0: %s", err, tc.detail)
			}
			if !strings.Contains(err.Error(), "example.com/dep@v1.0.0: ") || !strings.Contains(me.Hint(), "nothing was written") {
				t.Errorf("the refusal does not name the module: %v", err)
			}
			if _, err := os.Lstat(dest); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("--dir %s was created (%v)", dest, err)
			}
			if hashTree(t, mc) != before {
				t.Errorf("the user's module cache was written")
			}
		})
	}
}

func TestSetupAddsOnlyTheModulesTheProjectNeedsAndCountsThem(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := t.TempDir()
	img := handImage(t, dir)
	proxy := filepath.Join(img, filepath.FromSlash(ProxyDir))
	// example.com/dep needs example.com/base (through its go.mod), which
	// the project's go.sum does not list; example.com/unused is in the
	// image but nothing requires it.
	writeProxyModule(t, proxy, "example.com/dep", "v1.0.0", map[string]string{
		"go.mod": "module example.com/dep\n\ngo 1.21\n\nrequire example.com/base v0.1.0\n",
		"dep.go": "package dep\n\nconst V = 1\n",
	})
	sum := writeProxyModule(t, proxy, "example.com/dep", "v1.0.0", map[string]string{
		"go.mod": "module example.com/dep\n\ngo 1.21\n\nrequire example.com/base v0.1.0\n",
		"dep.go": "package dep\n\nconst V = 1\n",
	})
	baseSum := writeProxyModule(t, proxy, "example.com/base", "v0.1.0", map[string]string{"base.go": "package base\n"})
	unusedSum := writeProxyModule(t, proxy, "example.com/unused", "v1.2.3", map[string]string{"unused.go": "package unused\n"})
	testkit.WriteTree(t, proxy, map[string]string{
		"example.com/dep/@v/v1.0.0.ziphash":    strings.Fields(sum)[2],
		"example.com/base/@v/v0.1.0.ziphash":   strings.Fields(baseSum)[2],
		"example.com/unused/@v/v1.2.3.ziphash": strings.Fields(unusedSum)[2],
	})
	testkit.WriteTree(t, img, map[string]string{"repo/go.sum": sum})
	writeManifest(t, img)

	dest := filepath.Join(dir, "checkout")
	res, err := SetupFromImage(context.Background(), SetupOptions{Image: img, Dir: dest, Env: userEnv(userCache(t, dir))})
	if err != nil {
		t.Fatal(err)
	}
	dl := filepath.Join(res.ModCache, "cache", "download")
	if _, err := os.Stat(filepath.Join(dl, "example.com", "unused")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the module the project does not need was copied (%v)", err)
	}
	for _, p := range []string{"example.com/dep/@v/v1.0.0.zip", "example.com/base/@v/v0.1.0.mod"} {
		if _, err := os.Stat(filepath.Join(dl, filepath.FromSlash(p))); err != nil {
			t.Errorf("the checkout's module cache lacks %s: %v", p, err)
		}
	}
	if res.ModulesAdded != 2 || res.ModulesLeftOut != 1 {
		t.Errorf("%d modules added, %d left out; want 2 (dep and base) and 1 (unused)", res.ModulesAdded, res.ModulesLeftOut)
	}
	// Files: each needed module's list, .info, .mod, .zip and .ziphash.
	if res.Modules.Files != 10 {
		t.Errorf("%d module files copied, want 10", res.Modules.Files)
	}
}

func TestTheEnvFileSaysWhatWroteItAndReadsBack(t *testing.T) {
	vars := []EnvVar{{"GOMODCACHE", "/home/a b/.sprintkit/gomod"}, {"GOFLAGS", "-mod=mod -modcacherw"}, {"GOPROXY", "file:///x,off"}, {"GOCACHE", "/it's/gocache"}}
	var b strings.Builder
	if err := WriteEnv(&b, vars, ImageEnvHeader); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "# Written by sprintkit setup --from-image") {
		t.Errorf("header:\n%s", b.String())
	}
	got, err := ReadEnv(strings.NewReader(b.String()+"export PATH=/evil\n"), "env")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(vars) {
		t.Errorf("read back %v, want %v (PATH left out)", got, vars)
	}
	if _, err := ReadEnv(strings.NewReader("# x\nexport GOCACHE='open\n"), "dir/.sprintkit/env"); err == nil || !strings.Contains(err.Error(), "dir/.sprintkit/env:2:") {
		t.Errorf("a broken quote: %v, want an error naming dir/.sprintkit/env:2", err)
	}

	dir := t.TempDir()
	if env, err := CheckoutEnviron(dir, []string{"A=1"}); env != nil || err != nil {
		t.Errorf("a checkout with no env file: %v, %v", env, err)
	}
	testkit.WriteTree(t, dir, map[string]string{".sprintkit/env": b.String()})
	env, err := CheckoutEnviron(dir, []string{"A=1", "GOCACHE=/user"})
	if err != nil {
		t.Fatal(err)
	}
	if goenv.Get(env, "GOCACHE") != "/it's/gocache" || goenv.Get(env, "A") != "1" {
		t.Errorf("environment %v", env)
	}
}
