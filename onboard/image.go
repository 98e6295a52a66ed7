package onboard

import (
	"context"
	"os"
	"path/filepath"

	"github.com/sprintkit/sprintkit/checkout"
	"github.com/sprintkit/sprintkit/copier"
	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/internal/hint"
)

// ImageOptions says what `sprintkit image` stages where.
type ImageOptions struct {
	// Arg is the checkout to stage, or a URL to clone first; "" is ".".
	Arg string
	// Out is the image directory.
	Out string
	// Depth and Branch apply to the clone of a URL.
	Depth  int
	Branch string
	// The rest are image.StageOptions'.
	Platforms    []string
	Version      string
	ModCache     string
	NoReport     bool
	NoBuildCache bool
	Refresh      bool
	Workers      int
	// FromShards, when set, is the directory of merged CI shards the
	// report and baseline are read from instead of a test run.
	FromShards string
	// AllowDirty stages a checkout with uncommitted changes as a snapshot
	// commit (image.StageOptions.AllowDirty).
	AllowDirty bool
	Events     Events
}

// Image stages the image of a checkout (cloned first when o.Arg is a URL):
// the repository, its modules, the report and baseline of its tests, the
// binaries and the manifest (image.Stage).
func Image(ctx context.Context, o ImageOptions) (*image.StageResult, error) {
	src := o.Arg
	if src == "" {
		src = "."
	}
	upstream, checksum := "", false
	if fi, err := os.Stat(src); err != nil || !fi.IsDir() {
		// A URL: clone it first, into a temporary directory.
		tmp, err := os.MkdirTemp("", "sprintkit-image-clone-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir, err := cloneForImage(ctx, o, src, tmp)
		if err != nil {
			return nil, err
		}
		src, upstream, checksum = dir, o.Arg, true
	} else if co, err := checkout.Open(src); err == nil {
		src = co.Dir
	} else {
		return nil, CloneError(err, src, o.Events)
	}
	// The project file before any staging: a mistake in it costs no copy
	// and no test run, and its go test flags are the report's.
	pf, err := loadProject(src)
	if err != nil {
		return nil, err
	}
	bars := newBarSwitch(o.Events)
	res, err := image.Stage(ctx, image.StageOptions{
		Src:          src,
		Out:          o.Out,
		Upstream:     upstream,
		Platforms:    o.Platforms,
		Version:      o.Version,
		ModCache:     o.ModCache,
		NoReport:     o.NoReport,
		NoBuildCache: o.NoBuildCache,
		Refresh:      o.Refresh,
		Checksum:     checksum,
		Workers:      o.Workers,
		Report:       stageReport(o.FromShards, src, pf, Events{Bar: o.Events.Bar}),
		// Merged shards are read, not run: a Python project's too.
		ReportReadsResults: o.FromShards != "",
		AllowDirty:         o.AllowDirty,
		Step: func(step, msg string) {
			bars.done()
			o.Events.step(step, "%s", msg)
		},
		CopyProgress: func(step string, p copier.Progress) {
			bar := bars.to(step, step, p.TotalBytes)
			bar.SetTotal(p.TotalBytes)
			bar.Set(p.Bytes)
		},
		HashProgress: func(p image.HashProgress) {
			bars.to("hash", "hashing", p.TotalBytes).Set(p.Bytes)
		},
	})
	bars.done()
	if err != nil && hint.Of(err) == "" {
		return nil, hint.With(err, "fix the cause above and run the same command again: staging is incremental")
	}
	return res, err
}

// cloneForImage clones the URL url into tmp for staging, with its tags.
func cloneForImage(ctx context.Context, o ImageOptions, url, tmp string) (string, error) {
	dir := filepath.Join(tmp, checkout.DefaultDir(url))
	o.Events.step("clone", "cloning %s", checkout.Redact(url))
	bar := o.Events.bar("cloning", -1, true)
	_, err := checkout.Clone(ctx, checkout.Options{
		URL: url, Dir: dir, Depth: o.Depth, Branch: o.Branch, Tags: true,
		Progress: func(p checkout.Progress) { bar.Describe(p.Phase); bar.Set(p.Bytes) },
	})
	bar.Done()
	if err != nil {
		return "", CloneError(err, url, o.Events)
	}
	return dir, nil
}

// stageReport is image's report step: the tests run in the scratch copy,
// or, with --from-shards, the merged results of CI shards.
func stageReport(shards, src string, pf *coverage.ProjectFile, ev Events) image.ReportFunc {
	if shards == "" {
		return StageReport(src, pf, ev)
	}
	if abs, err := filepath.Abs(shards); err == nil {
		shards = abs
	}
	return StageShards(src, shards, pf, ev)
}
