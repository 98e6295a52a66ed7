package image

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/goenv"
	"github.com/sprintkit/sprintkit/internal/state"
)

// compiledPackages runs go test in dir with env and flags as the baseline
// runs it (-json, a cover profile, -coverpkg=./...), with -x, and returns
// the import paths the compiler was run for: what the build cache did not
// have.
func compiledPackages(t *testing.T, dir string, env, flags []string) []string {
	t.Helper()
	args := append([]string{"test", "-x", "-json", "-coverprofile=" + filepath.Join(t.TempDir(), "c.out"), "-coverpkg=./..."}, flags...)
	cmd := exec.Command("go", append(args, "./...")...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	var pkgs []string
	re := regexp.MustCompile(`/compile -o .* -p (\S+) `)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		pkgs = append(pkgs, m[1])
	}
	return pkgs
}

func TestStagedBuildCacheMakesTheNewcomersFirstTestRunCacheHits(t *testing.T) {
	dir, project, _, out, env := stageFixture(t)
	ctx := context.Background()
	// A second package that imports the first, so that the module has a
	// package graph of its own.
	writeTree(t, project, map[string]string{
		"sub/sub.go":      "package sub\n\nimport hello \"example.com/hello\"\n\nfunc Twice() string { return hello.Greet() + hello.Greet() }\n",
		"sub/sub_test.go": "package sub\n\nimport \"testing\"\n\nfunc TestTwice(t *testing.T) {\n\tif Twice() == \"\" {\n\t\tt.Fatal(\"empty\")\n\t}\n}\n",
	})
	for _, args := range [][]string{{"add", "-A"}, {"-c", "user.name=O", "-c", "user.email=o@example.com", "commit", "-q", "-m", "sub"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = project
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, b)
		}
	}
	res, err := Stage(ctx, StageOptions{Src: project, Out: out, Env: env, ModCache: filepath.Join(dir, "private"), Report: goReport})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed != 2 || res.Failed != 0 {
		t.Fatalf("staging test run: %d passed, %d failed", res.Passed, res.Failed)
	}
	bc := res.Manifest.BuildCache
	if bc == nil || bc.Entries == 0 {
		t.Fatalf("the manifest records no build cache: %+v", bc)
	}
	gover, err := goCmdOutput(ctx, "", env, "env", "GOVERSION", "GOOS", "GOARCH")
	if err != nil {
		t.Fatal(err)
	}
	if want := bc.GoVersion + "\n" + bc.GOOS + "\n" + bc.GOARCH; strings.TrimSpace(string(gover)) != want {
		t.Fatalf("build cache recorded for %q, go env says %q", want, gover)
	}
	cached := 0
	for _, e := range res.Manifest.Files {
		if strings.HasPrefix(e.Path, BuildCacheDir+"/") && e.IsFile() {
			cached++
			if e.SHA256 == "" {
				t.Fatalf("%s has no hash in the manifest", e.Path)
			}
		}
	}
	if cached != bc.Entries {
		t.Fatalf("manifest lists %d build cache files, its build_cache says %d", cached, bc.Entries)
	}

	// The newcomer: the checkout at another path, an empty module cache
	// and an empty build cache, no network.
	newcomer := func(name string) []string {
		u := setEnv(env, "GOPROXY", "off")
		u = setEnv(u, "GOMODCACHE", filepath.Join(dir, name+"-modcache"))
		return withCacheHome(setEnv(u, "GOCACHE", filepath.Join(dir, name+"-gocache")), filepath.Join(dir, name))
	}
	user := newcomer("newcomer")
	dest := filepath.Join(dir, "elsewhere", "project")
	sr, err := SetupFromImage(ctx, SetupOptions{Image: out, Dir: dest, Env: user})
	if err != nil {
		t.Fatal(err)
	}
	own := filepath.Join(dest, ".sprintkit", "gocache")
	if sr.BuildCache == nil || !sr.BuildCache.Used || sr.BuildCache.Added != bc.Entries || sr.BuildCache.Cache != own {
		t.Fatalf("build cache result %+v, want all %d entries added to the checkout's own GOCACHE %s", sr.BuildCache, bc.Entries, own)
	}
	if !strings.Contains(sr.BuildCache.String(), "entries from the image") || !strings.Contains(sr.BuildCache.String(), "this checkout's own GOCACHE (removed with it") {
		t.Errorf("setup says %q", sr.BuildCache)
	}
	if _, err := os.Stat(filepath.Join(dir, "newcomer-gocache")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the user's own GOCACHE was written (%v)", err)
	}
	if goenv.Get(EnvList(sr.Env), "GOCACHE") != own {
		t.Errorf("the environment does not name the checkout's GOCACHE: %v", sr.Env)
	}
	if _, ok := sr.StepSeconds["buildcache"]; !ok {
		t.Errorf("no buildcache step time: %v", sr.StepSeconds)
	}

	// The baseline's go test, with the flags setup gives it, compiles
	// nothing but the generated test mains: every package of the module,
	// its dependencies and the standard library are cache hits.
	run := Environ(user, sr.Env)
	flags := append(append([]string(nil), sr.BuildCache.Flags...), NoTestCacheFlag)
	for _, p := range compiledPackages(t, dest, run, flags) {
		if p != "main" {
			t.Errorf("the first test run compiled %s; the image's build cache should have had it", p)
		}
	}
	// A change to one package is compiled again (the counting sees
	// compilations), and the seeded entries stay as they were.
	writeTree(t, dest, map[string]string{"sub/more.go": "package sub\n\nfunc More() int { return 1 }\n"})
	if got := compiledPackages(t, dest, run, flags); !contains(got, "example.com/hello/sub") || contains(got, "example.com/hello") {
		t.Errorf("after changing sub, compiled %v; want sub and not its unchanged dependency", got)
	}

	// A second checkout has a cache of its own: every entry is added there,
	// and the first checkout's is left as it was.
	first := hashTree(t, own)
	again := setEnv(newcomer("second"), "GOCACHE", filepath.Join(dir, "newcomer-gocache"))
	sr2, err := SetupFromImage(ctx, SetupOptions{Image: out, Dir: filepath.Join(dir, "second"), Env: again})
	if err != nil {
		t.Fatal(err)
	}
	if !sr2.BuildCache.Used || sr2.BuildCache.Added != bc.Entries || sr2.BuildCache.Cache != filepath.Join(dir, "second", ".sprintkit", "gocache") {
		t.Errorf("second seeding: %+v, want all %d added to the second checkout's own cache", sr2.BuildCache, bc.Entries)
	}
	if hashTree(t, own) != first {
		t.Errorf("seeding the second checkout changed the first checkout's cache")
	}

	// A manifest that says another Go version: the cache is not used, and
	// setup says why.
	var m map[string]any
	b, err := os.ReadFile(filepath.Join(out, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["build_cache"].(map[string]any)["go_version"] = "go1.20.1"
	if err := state.WriteJSON(filepath.Join(out, ManifestFile), m); err != nil {
		t.Fatal(err)
	}
	other := newcomer("third")
	sr3, err := SetupFromImage(ctx, SetupOptions{Image: out, Dir: filepath.Join(dir, "third"), Env: other})
	if err != nil {
		t.Fatal(err)
	}
	if sr3.BuildCache.Used || !strings.Contains(sr3.BuildCache.String(), "not used: the image's build cache is for go1.20.1") {
		t.Errorf("with another Go version in the manifest: %q", sr3.BuildCache)
	}
	if sr3.BuildCache.Added != 0 || sr3.BuildCache.Present != 0 {
		t.Errorf("the unused build cache was seeded: %+v", sr3.BuildCache)
	}
}
