package image

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/gotest"
	"github.com/sprintkit/sprintkit/report"
)

// noReport stands in for the test run when a test is about staging, not
// coverage; the coverage and report packages are tested on their own.
// goReport is the report step the pipeline gives Stage, reduced to what
// this package's tests need: the tests with coverage, ranked, as a site.
func goReport(ctx context.Context, dir string, env, flags []string, reportDir string) (*coverage.Result, []coverage.Target, error) {
	r, err := gotest.Run(ctx, gotest.Options{Dir: dir, Env: env, Flags: flags})
	if err != nil {
		return nil, nil, err
	}
	targets := coverage.Rank(r, coverage.RankOptions{})
	if _, err := report.HTML(ctx, reportDir, r, targets, report.HTMLOptions{}); err != nil {
		return nil, nil, err
	}
	return r, targets, nil
}

func noReport(ctx context.Context, dir string, env, flags []string, reportDir string) (*coverage.Result, []coverage.Target, error) {
	if err := os.MkdirAll(reportDir, 0o755); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(filepath.Join(reportDir, "index.html"), []byte("<html>report</html>"), 0o644); err != nil {
		return nil, nil, err
	}
	return &coverage.Result{Language: "go", Tests: []coverage.TestResult{{Package: "example.com/hello", Test: "TestGreet", Outcome: "pass"}}}, nil, nil
}

func stageFixture(t *testing.T) (dir, project, proxy, out string, env []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs git and the go command")
	}
	dir = t.TempDir()
	project, proxy = fixtureProject(t, dir)
	gitInit(t, project, "https://user:s3cret@git.example.org/sprint/hello.git")
	out = filepath.Join(dir, "box")
	env = goEnv(t, proxy)
	return
}

func TestStageThenSetupWithNoNetwork(t *testing.T) {
	dir, project, _, out, env := stageFixture(t)
	ctx := context.Background()
	opts := StageOptions{Src: project, Out: out, Env: env, Version: "v0.0.0-test", ModCache: filepath.Join(dir, "private"), Report: noReport}
	res, err := Stage(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	m := res.Manifest
	if m.Project != "example.com/hello" || m.Go != "1.21" || len(m.Commit) != 40 || m.Upstream != "https://git.example.org/sprint/hello.git" {
		t.Fatalf("manifest header %+v", m)
	}
	if strings.Join(m.Modules, ",") != "example.com/greet@v1.0.0,example.com/testonly@v0.1.0" {
		t.Fatalf("modules %v", m.Modules)
	}
	if res.Repo.Files == 0 || res.Modules.Files == 0 {
		t.Fatalf("first staging copied repo %d, modules %d files", res.Repo.Files, res.Modules.Files)
	}
	again, err := Stage(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if again.Repo.Files != 0 || again.Modules.Files != 0 || again.Hashed != 0 {
		t.Fatalf("re-staging an unchanged image copied repo %d, modules %d files and hashed %d", again.Repo.Files, again.Modules.Files, again.Hashed)
	}
	for _, s := range []string{"modules", "report"} {
		if !contains(again.Skipped, s) {
			t.Errorf("re-staging did not skip %s: %v", s, again.Skipped)
		}
	}

	// The newcomer: GOPROXY=off and an empty cache of their own.
	user := setEnv(env, "GOPROXY", "off")
	user = setEnv(user, "GOMODCACHE", filepath.Join(dir, "newcomer-cache"))
	user = withCacheHome(user, dir)
	dest := filepath.Join(dir, "project")
	sr, err := SetupFromImage(ctx, SetupOptions{Image: out, Dir: dest, Env: user})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sr.ModCache, filepath.Join(dir, "cache-home", "sprintkit", "checkout-gomod", "project-")) {
		t.Fatalf("module cache %s, want the checkout's own", sr.ModCache)
	}
	if _, err := os.Stat(filepath.Join(dir, "newcomer-cache")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the user's own module cache was written (%v)", err)
	}
	if sr.ModulesAdded != 2 || sr.ModulesLeftOut != 0 {
		t.Errorf("%d modules added, %d left out; want the 2 the project needs", sr.ModulesAdded, sr.ModulesLeftOut)
	}
	envFile, err := os.ReadFile(filepath.Join(dest, ".sprintkit", "env"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(envFile), "export GONOSUMDB=example.com/greet,example.com/testonly") {
		t.Errorf("env file:\n%s", envFile)
	}
	r, err := gotest.Run(ctx, gotest.Options{Dir: dest, Env: append(EnvList(sr.Env), "GOPROXY=off")})
	if err != nil {
		t.Fatalf("tests in the new checkout, offline: %v", err)
	}
	if len(r.Failed()) != 0 || len(r.Tests) == 0 {
		t.Fatalf("tests in the new checkout: %+v", r.Tests)
	}
}

func TestSetupRefusesAnImageForANewerGoBeforeWritingAnything(t *testing.T) {
	dir, project, _, out, env := stageFixture(t)
	if _, err := Stage(context.Background(), StageOptions{Src: project, Out: out, Env: env, ModCache: filepath.Join(dir, "private"), Report: noReport}); err != nil {
		t.Fatal(err)
	}
	// The organiser's go.mod asks for a Go from the future.
	b, _ := os.ReadFile(filepath.Join(out, ManifestFile))
	var raw map[string]any
	json.Unmarshal(b, &raw)
	raw["go"] = "99.1"
	b, _ = json.Marshal(raw)
	os.WriteFile(filepath.Join(out, ManifestFile), b, 0o644)

	dest := filepath.Join(dir, "project")
	_, err := SetupFromImage(context.Background(), SetupOptions{Image: out, Dir: dest, Env: setEnv(env, "GOMODCACHE", filepath.Join(dir, "c"))})
	var te *ToolchainError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "99.1") {
		t.Fatalf("SetupFromImage with go 99.1: %v", err)
	}
	for _, p := range []string{dest, filepath.Join(dir, "c")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written before the toolchain was refused", p)
		}
	}
}

func TestAnInterruptedStagingLeavesNoManifest(t *testing.T) {
	dir, project, _, out, env := stageFixture(t)
	if _, err := Stage(context.Background(), StageOptions{Src: project, Out: out, Env: env, ModCache: filepath.Join(dir, "private"), Report: noReport}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Stage(ctx, StageOptions{Src: project, Out: out, Env: env, ModCache: filepath.Join(dir, "private"), Refresh: true,
		Report: noReport, Step: func(step, msg string) {
			if step == "modules" {
				cancel()
			}
		}})
	if err == nil {
		t.Fatal("a cancelled staging succeeded")
	}
	if _, err := os.Stat(filepath.Join(out, ManifestFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an interrupted staging left a manifest (%v)", err)
	}
	_, err = SetupFromImage(context.Background(), SetupOptions{Image: out, Dir: filepath.Join(dir, "p"), Env: env})
	if err == nil || !strings.Contains(err.Error(), "staging did not finish") {
		t.Fatalf("setup from a half-staged image: %v", err)
	}
}

func TestStageFromAWorktreeWithoutItsOwnGitDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ".git"), []byte("gitdir: /elsewhere\n"), 0o644)
	_, err := Stage(context.Background(), StageOptions{Src: dir, Out: filepath.Join(t.TempDir(), "box")})
	if err == nil || !strings.Contains(err.Error(), "no .git directory") {
		t.Fatalf("Stage of a worktree: %v", err)
	}
}

func TestStageRefusesAnImageInsideItsOwnCheckout(t *testing.T) {
	_, project, _, _, env := stageFixture(t)
	_, err := Stage(context.Background(), StageOptions{Src: project, Out: filepath.Join(project, "box"), Env: env, Report: noReport})
	if err == nil || !strings.Contains(err.Error(), "inside the checkout") {
		t.Fatalf("Stage into the checkout: %v", err)
	}
	if _, err := os.Stat(filepath.Join(project, "box")); err == nil {
		t.Error("the refused image directory was created")
	}
}

func TestStageKeepsCrossBuiltBinariesOfTheSameSprintkitAndDropsStaleOnes(t *testing.T) {
	dir, project, _, out, env := stageFixture(t)
	opts := StageOptions{Src: project, Out: out, Env: env, ModCache: filepath.Join(dir, "private"), Report: noReport}
	first, err := Stage(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	// Pretend an earlier run cross-built plan9/amd64 with this very binary.
	bin := filepath.Join(out, filepath.FromSlash(PlatformBinary("plan9/amd64")))
	os.MkdirAll(filepath.Dir(bin), 0o755)
	os.WriteFile(bin, []byte("plan9 binary"), 0o755)
	rewrite := func(key string) {
		m := *first.Manifest
		m.Platforms, m.BinaryKey = []string{"plan9/amd64"}, key
		b, _ := json.Marshal(&m)
		os.WriteFile(filepath.Join(out, ManifestFile), b, 0o644)
	}
	rewrite(first.Manifest.BinaryKey)
	res, err := Stage(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Manifest.Platforms, ",") != "plan9/amd64" {
		t.Fatalf("a binary made by the same sprintkit was dropped: platforms %v", res.Manifest.Platforms)
	}
	// Made by another sprintkit: stale, removed, and no longer listed.
	rewrite("another-binary")
	res, err = Stage(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Manifest.Platforms) != 0 {
		t.Fatalf("a stale binary is still listed: %v", res.Manifest.Platforms)
	}
	if _, err := os.Stat(bin); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the stale binary is still in the image (%v)", err)
	}
	for _, f := range res.Manifest.Files {
		if strings.HasPrefix(f.Path, "bin/plan9") {
			t.Fatalf("the manifest lists the removed %s", f.Path)
		}
	}
}

func TestAnUntidyGoSumIsNeverWrittenByStagingAndStillWorksOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs git and the go command")
	}
	dir := t.TempDir()
	project, proxy := fixtureProject(t, dir)
	os.WriteFile(filepath.Join(project, "go.sum"), nil, 0o644) // the upstream never ran go mod tidy
	gitInit(t, project, "https://git.example.org/sprint/hello.git")
	out := filepath.Join(dir, "box")
	ctx := context.Background()
	res, err := Stage(ctx, StageOptions{Src: project, Out: out, Env: goEnv(t, proxy), ModCache: filepath.Join(dir, "private"), Report: goReport})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed != 1 || res.Failed != 0 {
		t.Fatalf("the report's test run: %d passed, %d failed, warnings %v", res.Passed, res.Failed, res.Warnings)
	}
	if b, _ := os.ReadFile(filepath.Join(project, "go.sum")); len(b) != 0 {
		t.Fatalf("staging wrote the organiser's go.sum:\n%s", b)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "go.sum lacks") {
		t.Errorf("no warning about the incomplete go.sum: %v", res.Warnings)
	}

	user := setEnv(goEnv(t, proxy), "GOPROXY", "off")
	user = setEnv(user, "GONOSUMDB", "")
	user = withCacheHome(user, dir)
	dest := filepath.Join(dir, "project")
	sr, err := SetupFromImage(ctx, SetupOptions{Image: out, Dir: dest, Env: user})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(sr.Warnings, "\n"), "not tidy") {
		t.Errorf("setup did not say go.sum was completed: %v", sr.Warnings)
	}
	r, err := gotest.Run(ctx, gotest.Options{Dir: dest, Env: append(EnvList(sr.Env), "GOPROXY=off")})
	if err != nil {
		t.Fatal(err)
	}
	if o := coverage.CountOutcomes(r.Tests); o.Passed != 1 || o.Failed != 0 {
		t.Fatalf("tests after setup: %+v", o)
	}
}

// EnvList returns vars as KEY=VALUE strings, to add to an environment.
func EnvList(vars []EnvVar) []string {
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i] = v.Key + "=" + v.Value
	}
	return out
}
