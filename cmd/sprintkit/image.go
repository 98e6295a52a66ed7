package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/cmd/sprintkit/termui"
	"github.com/sprintkit/sprintkit/copier"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/onboard"
)

func imageCommand() *cli.Command {
	return &cli.Command{
		Name:      "image",
		Usage:     "stage an offline dev-in-a-box image of a project",
		ArgsUsage: "[URL|DIR]",
		Description: `Stages the checkout (the current one, DIR, or a fresh clone of URL) into an
image directory: the repository with its history, every Go module its build
and tests need as a file:// module proxy, a pre-generated coverage report and
baseline, sprintkit itself, START_HERE.html, README.txt and manifest.json with
the SHA-256 of every file. Re-staging an unchanged image copies nothing.

Example:
   sprintkit image --out /media/usb/sprintbox
   sprintkit image https://host/org/project.git --out box/ --platforms linux/amd64,darwin/arm64,windows/amd64

Newcomers then run, with no network:
   /media/usb/sprintbox/bin/sprintkit setup --from-image /media/usb/sprintbox --dir ~/project`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "the image directory `DIR` to create or update (required)"},
			&cli.StringFlag{Name: "platforms", Usage: "also cross-build sprintkit for `GOOS/GOARCH,...` (comma-separated)"},
			&cli.BoolFlag{Name: "no-report", Usage: "do not run the tests for a report and baseline"},
			&cli.BoolFlag{Name: "no-build-cache", Usage: "do not ship the Go build cache of the report's test run (gocache/), which makes newcomers' first go test mostly cache hits"},
			&cli.StringFlag{Name: "from-shards", Usage: "take the report and baseline from the merged `DIR`/shard-*-of-N.{json,out} of coverage --shard runs (CI) instead of running the tests"},
			&cli.BoolFlag{Name: "allow-dirty", Usage: "stage a checkout with uncommitted changes: the image serves them as a snapshot commit on top of HEAD (the checkout itself is left as it is)"},
			&cli.BoolFlag{Name: "refresh", Usage: "re-stage modules, re-run the tests and rebuild binaries even when nothing changed"},
			&cli.IntFlag{Name: "depth", Usage: "with a URL: `N` commits of history to clone; 0 means all", DefaultText: "0, all"},
			&cli.StringFlag{Name: "branch", Usage: "with a URL: the `BRANCH` to clone", DefaultText: "the remote's default branch"},
			&cli.StringFlag{Name: "modcache", Usage: "the private module cache `DIR` for staging", DefaultText: "one per image in the user cache directory"},
			&cli.IntFlag{Name: "workers", Usage: "copy and hash `N` files at once", DefaultText: "8 for copies, one per CPU for hashing"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output as `text|json`"},
			&cli.BoolFlag{Name: "json", Usage: "same as --format json"},
		},
		Action: runImage,
	}
}

func runImage(c *cli.Context) error {
	out := c.String("out")
	if out == "" {
		return usagef("image: --out DIR is required")
	}
	format, err := jsonFormat(c, "image", "text")
	if err != nil {
		return err
	}
	switch {
	case c.NArg() > 1:
		return usagef("image: want at most one URL or directory, got %d arguments", c.NArg())
	case c.Int("depth") < 0:
		return usagef("image: --depth must be 0 (all history) or more")
	case c.Int("workers") < 0:
		return usagef("image: --workers must be a positive number")
	}
	platforms, err := image.ParsePlatforms(c.String("platforms"))
	if err != nil {
		return usagef("image: --platforms: %v", err)
	}
	ev := events(c.App.ErrWriter)
	if format == "json" {
		ev.Step = nil // the document says it all; bars still go to a terminal
	}
	res, err := onboard.Image(c.Context, onboard.ImageOptions{
		Arg: c.Args().First(), Out: out, Depth: c.Int("depth"), Branch: c.String("branch"),
		Platforms: platforms, Version: buildVersion(), ModCache: c.String("modcache"),
		NoReport: c.Bool("no-report"), NoBuildCache: c.Bool("no-build-cache"), Refresh: c.Bool("refresh"),
		Workers: c.Int("workers"), FromShards: c.String("from-shards"), Events: ev,
		AllowDirty: c.Bool("allow-dirty"),
	})
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	if format == "json" {
		return writeImageJSON(c.App.Writer, out, res)
	}
	w := termui.NewWrapper(c.App.Writer) // each line fits the terminal
	printImageSummary(w, c.App.ErrWriter, out, res)
	return w.Flush()
}

// imageJSON is `sprintkit image --format json`: the manifest without its
// file list, and what this run did.
type imageJSON struct {
	Type      string             `json:"type"` // "image"
	Version   int                `json:"version"`
	Dir       string             `json:"dir"`
	Manifest  *image.Manifest    `json:"manifest"`
	Repo      copier.Stats       `json:"repo"`
	Modules   copier.Stats       `json:"modules"`
	Hashed    int                `json:"hashed"`
	Skipped   []string           `json:"skipped"`
	Built     []string           `json:"built"`
	Passed    int                `json:"tests_passed"`
	Failed    int                `json:"tests_failed"`
	Warnings  []string           `json:"warnings"`
	ModCache  string             `json:"staging_modcache,omitempty"`
	DurationS float64            `json:"seconds"`
	Steps     map[string]float64 `json:"step_seconds"`
}

func writeImageJSON(w io.Writer, out string, res *image.StageResult) error {
	abs, _ := filepath.Abs(out)
	m := *res.Manifest
	m.Files = nil
	v := imageJSON{Type: "image", Version: 1, Dir: abs, Manifest: &m, Repo: res.Repo, Modules: res.Modules, Hashed: res.Hashed,
		Skipped: nonNil(res.Skipped), Built: nonNil(res.Built), Passed: res.Passed, Failed: res.Failed,
		Warnings: nonNil(res.Warnings), ModCache: res.ModCache, DurationS: res.Duration.Seconds(), Steps: res.StepSeconds}
	return writeJSON(w, v)
}

func printImageSummary(stdout, stderr io.Writer, out string, res *image.StageResult) {
	m := res.Manifest
	abs, _ := filepath.Abs(out)
	fmt.Fprintf(stdout, "image %s: %d files, %s, %s at %s\n", abs, m.TotalFiles, human.Bytes(m.TotalBytes), m.Project, human.Commit(m.Commit))
	if m.Upstream != "" {
		fmt.Fprintf(stdout, "  upstream  %s\n", m.Upstream)
	}
	fmt.Fprintf(stdout, "  repo      %s copied (%s), %d up to date, %d removed\n", human.Count(int(res.Repo.Files), "file", "files"), human.Bytes(res.Repo.Bytes), res.Repo.Skipped, res.Repo.Deleted)
	if m.Go != "" {
		note := ""
		if imgContains(res.Skipped, "modules") {
			note = "; go.mod and go.sum unchanged"
		}
		fmt.Fprintf(stdout, "  modules   %s for go %s; %s copied (%s), %d up to date%s\n", human.Count(len(m.Modules), "module", "modules"), m.Go, human.Count(int(res.Modules.Files), "file", "files"), human.Bytes(res.Modules.Bytes), res.Modules.Skipped, note)
	}
	switch {
	case imgContains(res.Skipped, "report"):
		fmt.Fprintf(stdout, "  report    unchanged (same commit): report/index.html, baseline.json\n")
	case res.Passed+res.Failed > 0:
		fmt.Fprintf(stdout, "  report    %d tests passed, %d failed before anyone changed anything: report/index.html, baseline.json\n", res.Passed, res.Failed)
	}
	if bc := res.BuildCache; bc != nil {
		fmt.Fprintf(stdout, "  gocache   %s build cache entries for %s %s/%s (built with %s)\n", human.Int(bc.Entries), bc.GoVersion, bc.GOOS, bc.GOARCH, strings.Join(bc.Flags, " "))
	} else if m.Go != "" {
		fmt.Fprintf(stdout, "  gocache   none: %s\n", res.NoBuildCache)
	}
	bins := []string{image.HostBinary()}
	for _, p := range m.Platforms {
		bins = append(bins, image.PlatformBinary(p))
	}
	built := ""
	if len(res.Built) > 0 {
		built = fmt.Sprintf(" (built now: %s)", strings.Join(res.Built, ", "))
	}
	fmt.Fprintf(stdout, "  binaries  %s%s\n", strings.Join(bins, ", "), built)
	fmt.Fprintf(stdout, "  manifest  %d files listed, %d hashed in this run\n", m.TotalFiles, res.Hashed)
	fmt.Fprintf(stdout, "  took      %.1fs (", res.Duration.Seconds())
	for i, st := range []string{"repo", "modules", "report", "buildcache", "binaries", "manifest"} {
		if i > 0 {
			fmt.Fprint(stdout, ", ")
		}
		fmt.Fprintf(stdout, "%s %.1fs", st, res.StepSeconds[st])
	}
	fmt.Fprintln(stdout, ")")
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "sprintkit: warning: %s\n", w)
	}
	fmt.Fprintf(stdout, "\nNewcomers open START_HERE.html, or run in the image folder:\n  ./%s setup --from-image . --dir ~/%s\n", image.HostBinary(), filepath.Base(m.Project))
}

func imgContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
