package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/copier"
	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/termui"
)

// setupFromImage runs `sprintkit setup --from-image DIR [--dir DEST]`: with
// no network, it verifies the image, copies the repository, makes the staged
// modules available, writes .sprintkit/env, and records the baseline and the
// report the way `setup` does.
func setupFromImage(c *cli.Context) error {
	ctx := c.Context
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	img := c.String("from-image")
	if img == "" {
		return usagef("setup: --from-image needs the image directory")
	}
	if c.NArg() > 0 {
		return usagef("setup: --from-image takes no URL or directory argument; pass the destination with --dir")
	}
	format := c.String("format")
	if format != "" && format != "text" && format != "json" {
		return usagef("setup: --format must be text or json, not %q", format)
	}
	jsonOut := format == "json"
	dest := c.String("dir")
	if dest == "" {
		m, err := image.ReadManifest(img)
		if err != nil {
			return withHint(err, "pass the folder that holds manifest.json, START_HERE.html and repo/")
		}
		dest = path.Base(m.Project)
	}
	say := func(format string, args ...any) { fmt.Fprintf(stderr, "sprintkit: "+format+"\n", args...) }

	var bar *termui.Progress
	barStep := ""
	res, err := image.SetupFromImage(ctx, image.SetupOptions{
		Image: img,
		Dir:   dest,
		Step: func(step, msg string) {
			bar.Done()
			bar = nil
			say("%s", msg)
		},
		HashProgress: func(p image.HashProgress) {
			if bar == nil || barStep != "verify" {
				bar.Done()
				bar, barStep = termui.NewProgress(stderr, p.TotalBytes, "verifying", true), "verify"
			}
			bar.Set(p.Bytes)
		},
		CopyProgress: func(step string, p copier.Progress) {
			if bar == nil || barStep != step {
				bar.Done()
				bar, barStep = termui.NewProgress(stderr, p.TotalBytes, step, true), step
			}
			bar.SetTotal(p.TotalBytes)
			bar.Set(p.Bytes)
		},
	})
	bar.Done()
	var te *image.ToolchainError
	var ve *image.VerifyError
	var de *image.DestinationError
	var re *image.ResolveError
	switch {
	case errors.As(err, &te):
		if te.Check.Local == "" {
			return withHint(err, "install Go "+te.Check.Required+" or newer (ask the organiser for an installer), then run this again")
		}
		return withHint(err, "install Go "+te.Check.Required+" or newer (ask the organiser for an installer: with no network go cannot fetch one), then run this again; nothing was written")
	case errors.As(err, &ve):
		return withHint(err, "copy the image again (from the organiser or a neighbour's stick) and rerun; nothing was written")
	case errors.As(err, &re):
		return withHint(err, "the repository is in place but a module it needs is not in the image; ask the organiser to re-stage it ('sprintkit image'), or connect to the network and run 'go mod download' in "+dest)
	case errors.As(err, &de):
		return withHint(err, "choose another --dir, or remove "+de.Dir+" first")
	case err != nil:
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "sprintkit: warning: %s\n", w)
	}
	m := res.Manifest
	if jsonOut {
		stdout = io.Discard
	}
	out := fromImageJSON{Type: "setup", Image: m.Project, Dir: res.Dir, Commit: m.Commit, Upstream: m.Upstream,
		ModCache: res.ModCache, EnvFile: res.EnvFile, Env: map[string]string{}, Toolchain: res.Toolchain.Local,
		RepoFiles: res.Repo.Files, ModuleFiles: res.Modules.Files, Warnings: imgNonNil(res.Warnings), Steps: res.StepSeconds}
	for _, v := range res.Env {
		out.Env[v.Key] = v.Value
	}
	emit := func() error {
		if !jsonOut {
			return nil
		}
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "%s at %s is in %s (%d files copied)\n", m.Project, imgShortCommit(m.Commit), res.Dir, res.Repo.Files)
	if m.Upstream != "" {
		fmt.Fprintf(stdout, "origin: %s\n", m.Upstream)
	}
	if len(res.Env) > 0 {
		fmt.Fprintf(stdout, "modules: %d staged modules in %s (%d files copied); toolchain %s\n", len(m.Modules), res.ModCache, res.Modules.Files, res.Toolchain.Local)
		fmt.Fprintf(stdout, "\nThe go command finds the modules with these settings, saved in %s:\n", res.EnvFile)
		for _, l := range image.ExportLines(res.Env, runtime.GOOS) {
			fmt.Fprintf(stdout, "  %s\n", l)
		}
	}

	// The baseline and the report, as setup does.
	if m.Go == "" {
		fmt.Fprintf(stdout, "\nnot a Go module: no baseline recorded\n")
		return emit()
	}
	if c.Bool("clone-only") {
		fmt.Fprintf(stdout, "\n--clone-only: the tests were not run and no baseline was recorded\n")
		return emit()
	}
	say("running the tests once with coverage to record the baseline")
	tbar := termui.NewProgress(stderr, -1, "testing", false)
	br, err := image.RunBaseline(ctx, res.Dir, image.EnvList(res.Env), func(done, total int) {
		if total > 0 {
			tbar.SetTotal(int64(total))
		}
		tbar.Set(int64(done))
	})
	tbar.Done()
	if err != nil {
		return withHint(fmt.Errorf("record the baseline in %s: %w", res.Dir, err), "the checkout and the modules are in place; run 'sprintkit coverage' there once the cause is fixed")
	}
	out.Baseline = &fromImageBaseline{Passed: br.Passed, Failed: br.Failed, Percent: br.Result.Total.Percent, Report: br.ReportIndex, Targets: imgFirstTargets(br.Targets, 5)}
	fmt.Fprintf(stdout, "\nbaseline: %d tests passed, %d failed before you changed anything; coverage %.1f%%\n", br.Passed, br.Failed, br.Result.Total.Percent)
	if len(br.Targets) > 0 {
		fmt.Fprintf(stdout, "sprint targets, by rank:\n")
		for _, t := range imgFirstTargets(br.Targets, 5) {
			fmt.Fprintf(stdout, "  %d. %s  %.1f%%  %s\n", t.Rank, t.Name, t.Percent, t.Reason)
		}
	}
	rel := res.Dir
	if wd, err := os.Getwd(); err == nil {
		if r, err := filepath.Rel(wd, res.Dir); err == nil && len(r) < len(rel) {
			rel = r
		}
	}
	fmt.Fprintf(stdout, "\nNext:\n  cd %s\n", rel)
	if runtime.GOOS == "windows" {
		fmt.Fprintf(stdout, "  (paste the $env: lines above into PowerShell)\n")
	} else {
		fmt.Fprintf(stdout, "  . .sprintkit/env\n")
	}
	fmt.Fprintf(stdout, "  go test ./...\n  sprintkit watch-test\n")
	if br.ReportIndex != "" {
		fmt.Fprintf(stdout, "  open %s\n", br.ReportIndex)
	}
	return emit()
}

// fromImageJSON is `sprintkit setup --from-image DIR --format json`.
type fromImageJSON struct {
	Type        string             `json:"type"` // "setup"
	Image       string             `json:"project"`
	Dir         string             `json:"dir"`
	Commit      string             `json:"commit"`
	Upstream    string             `json:"upstream,omitempty"`
	ModCache    string             `json:"modcache,omitempty"`
	EnvFile     string             `json:"env_file,omitempty"`
	Env         map[string]string  `json:"env"`
	Toolchain   string             `json:"toolchain,omitempty"`
	RepoFiles   int64              `json:"repo_files_copied"`
	ModuleFiles int64              `json:"module_files_copied"`
	Baseline    *fromImageBaseline `json:"baseline,omitempty"`
	Warnings    []string           `json:"warnings"`
	Steps       map[string]float64 `json:"step_seconds"`
}

type fromImageBaseline struct {
	Passed  int               `json:"passed"`
	Failed  int               `json:"failed"`
	Percent float64           `json:"percent"`
	Report  string            `json:"report,omitempty"`
	Targets []coverage.Target `json:"targets"`
}

func imgFirstTargets(t []coverage.Target, n int) []coverage.Target {
	if len(t) > n {
		return t[:n]
	}
	return t
}
