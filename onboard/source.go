package onboard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/sprintkit/sprintkit/checkout"
	"github.com/sprintkit/sprintkit/copier"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/project"
	"github.com/sprintkit/sprintkit/room"
)

// SourceKind says where the checkout comes from.
type SourceKind string

const (
	SourceServer  SourceKind = "sprint server"
	SourceClone   SourceKind = "clone"
	SourceInPlace SourceKind = "in place"
	SourceImage   SourceKind = "image"
)

// source is the resolved source step: what to fetch, and where to.
type source struct {
	kind      SourceKind
	arg       string // URL, directory or image
	dir       string // the checkout, absolute
	transport string // of a clone
	sprint    *room.Sprint
}

// ErrUsage marks a combination of options that makes no sense; the command
// reports it as a usage error.
var ErrUsage = errors.New("usage")

// resolveSource decides the source and the destination before anything is
// written, refusing a destination that must not be written into.
func resolveSource(ctx context.Context, o Options) (source, error) {
	if o.Image != "" {
		dir := o.Dir
		if dir == "" {
			m, err := image.ReadManifest(o.Image)
			if err != nil {
				return source{}, hint.With(err, "pass the folder that holds manifest.json, START_HERE.html and repo/")
			}
			dir = path.Base(m.Project)
		}
		return source{kind: SourceImage, arg: o.Image, dir: Abs(dir)}, nil
	}
	transport := checkout.Transport(o.Arg) // once: it is what the clone, the checks and discovery go by
	if o.Dir == "" && isCheckoutDir(o.Arg, transport) {
		if o.Branch != "" || o.Tags || o.SSHKey != "" {
			return source{}, fmt.Errorf("%w: %s is a checkout, set up in place; --branch, --tags and --ssh-key apply to a clone (switch branches with git there)", ErrUsage, o.Arg)
		}
		return source{kind: SourceInPlace, arg: o.Arg, dir: Abs(o.Arg)}, nil
	}
	src := source{kind: SourceClone, arg: o.Arg, transport: transport}
	if sp := discover(ctx, o, transport); sp != nil {
		// A sprint server: clone its repository, fetch modules from it.
		src = source{kind: SourceServer, arg: sp.URLs.Repo, transport: checkout.Transport(sp.URLs.Repo), sprint: sp}
	}
	dir := o.Dir
	if dir == "" {
		dir = checkout.DefaultDir(src.arg)
		if src.sprint != nil {
			dir = path.Base(src.sprint.Project)
		}
	}
	if err := checkout.CheckDest(dir); err != nil {
		return source{}, CloneError(err, src.arg, o.Events)
	}
	src.dir = Abs(dir)
	return src, nil
}

// discover asks an http(s) URL that does not name a repository (no .git at
// its end) whether it is a sprint server (`sprintkit serve`): nil when it
// is not, and the clone goes on as for any git host.
func discover(ctx context.Context, o Options, t string) *room.Sprint {
	if (t != "http" && t != "https") || strings.HasSuffix(strings.TrimSuffix(o.Arg, "/"), ".git") {
		return nil
	}
	sp, err := room.Discover(ctx, o.Arg)
	if err != nil {
		o.Events.debug("%s is not a sprint server: %v", checkout.Redact(o.Arg), err)
		return nil
	}
	return sp
}

// fetchSource clones, copies from the image, or opens the checkout in
// place, and detects the project there.
func fetchSource(ctx context.Context, o Options, rt *route, s *Summary) (*project.Project, error) {
	src := rt.src
	s.Source = src.kind
	switch src.kind {
	case SourceInPlace:
		res, err := checkout.Open(src.arg) // as the user named it, in messages
		if err != nil {
			var ce *checkout.Error
			if !errors.As(err, &ce) || ce.Kind != checkout.ErrNotRepository {
				return nil, CloneError(err, o.Arg, o.Events)
			}
			s.Notes = append(s.Notes, "not a git checkout: no commit is recorded in the baseline")
			res = &checkout.Result{Dir: src.dir}
		}
		res.Dir = src.dir
		s.Checkout, rt.commit = res, res.Commit
		// The checkout's own settings, from an earlier setup: its module
		// and build caches after setup --from-image.
		if env, err := image.CheckoutEnviron(src.dir, rt.env); err != nil {
			return nil, err
		} else if env != nil {
			rt.env = env
		}
		if res.Commit != "" {
			o.Events.step("source", "using the checkout in %s (%s at %s)", s.relDir, BranchName(res.Branch), human.Commit(res.Commit))
		}
		return project.Detect(src.dir)
	case SourceImage:
		if err := fromImage(ctx, o, rt, s); err != nil {
			return nil, err
		}
		return project.Detect(src.dir)
	}
	if src.sprint != nil {
		o.Events.step("source", "joining the sprint on %s: %s at %s", src.sprint.URLs.Home, src.sprint.Project, human.Commit(src.sprint.Commit))
	}
	o.Events.step("source", "cloning %s into %s", checkout.Redact(src.arg), s.relDir)
	bar := o.Events.bar("connecting", -1, true)
	res, err := checkout.Clone(ctx, checkout.Options{
		URL: src.arg, Dir: src.dir, Branch: o.Branch, Depth: o.Depth, Tags: o.Tags, SSHKey: o.SSHKey,
		Progress: func(p checkout.Progress) {
			bar.Describe(cloneProgressText(p))
			bar.Set(p.Bytes)
		},
	})
	bar.Done()
	if err != nil {
		return nil, CloneError(err, src.arg, o.Events)
	}
	res.Dir = src.dir
	s.Clone, rt.commit = &CloneSummary{Result: res, Seconds: res.Duration.Seconds()}, res.Commit
	if src.sprint != nil {
		if err := joinSprint(ctx, rt, s); err != nil {
			return nil, err
		}
	}
	o.Events.step("source", "cloned %s at %s: %d files, %s in %.1fs", BranchName(res.Branch), human.Commit(res.Commit), res.Files, human.Bytes(res.Bytes), res.Duration.Seconds())
	p, err := project.Detect(src.dir)
	if err != nil {
		return nil, err
	}
	if err := postChecks(ctx, o, rt, p, s); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(src.dir, ".gitmodules")); err == nil {
		s.Notes = append(s.Notes, "the project has git submodules, which setup does not clone: run 'git submodule update --init --depth 1' in the checkout if you need them")
	}
	return p, nil
}

// fromImage verifies the image and copies the repository and the modules
// out of it (image.SetupFromImage), with the hint for each way it can fail.
func fromImage(ctx context.Context, o Options, rt *route, s *Summary) error {
	src := rt.src
	bars := newBarSwitch(o.Events)
	res, err := image.SetupFromImage(ctx, image.SetupOptions{
		Image:        src.arg,
		Dir:          src.dir,
		Env:          rt.env,
		NoBuildCache: o.NoBuildCache,
		Step: func(step, msg string) {
			bars.done()
			o.Events.step(step, "%s", msg)
		},
		HashProgress: func(p image.HashProgress) {
			bars.to("verify", "verifying", p.TotalBytes).Set(p.Bytes)
		},
		CopyProgress: func(step string, p copier.Progress) {
			bar := bars.to(step, step, p.TotalBytes)
			bar.SetTotal(p.TotalBytes)
			bar.Set(p.Bytes)
		},
	})
	bars.done()
	if err != nil {
		return imageError(err, src.dir)
	}
	m := res.Manifest
	s.Warnings = append(s.Warnings, res.Warnings...)
	is := &ImageSummary{Dir: Abs(src.arg), Project: m.Project, Upstream: m.Upstream, ModCache: res.ModCache, EnvFile: res.EnvFile,
		Env: map[string]string{}, Toolchain: res.Toolchain.Local, RepoFiles: res.Repo.Files, ModuleFiles: res.Modules.Files,
		Modules: len(m.Modules), ModulesAdded: res.ModulesAdded, ModulesLeftOut: res.ModulesLeftOut, StepSeconds: res.StepSeconds}
	for _, v := range res.Env {
		is.Env[v.Key] = v.Value
	}
	// The baseline runs every test here (-count=1: no test result cached
	// anywhere counts), with the flags the image's build cache was built
	// with when it was added, so that its builds are cache hits.
	rt.testFlags = []string{image.NoTestCacheFlag}
	if bc := res.BuildCache; bc != nil {
		is.BuildCache = bc
		if bc.Used {
			rt.testFlags = append(append([]string(nil), bc.Flags...), image.NoTestCacheFlag)
		}
	}
	is.ExportLines = image.ExportLines(res.Env, runtime.GOOS)
	s.Image = is
	s.Checkout = &checkout.Result{Dir: src.dir, Commit: m.Commit, Source: m.Upstream}
	if co, err := checkout.Open(src.dir); err == nil {
		co.Dir = src.dir
		s.Checkout = co
	}
	rt.commit = s.Checkout.Commit
	if len(res.Env) > 0 {
		rt.env = image.Environ(rt.environ(), res.Env)
	}
	if m.Go == "" {
		s.Notes = append(s.Notes, "not a Go module: the image holds no modules")
	}
	return nil
}

// imageError adds what to do to each way setting up from an image fails.
func imageError(err error, dest string) error {
	var te *image.ToolchainError
	var ve *image.VerifyError
	var de *image.DestinationError
	var re *image.ResolveError
	switch {
	case errors.As(err, &te):
		if te.Check.Local == "" {
			return hint.With(err, "install Go "+te.Check.Required+" or newer (ask the organiser for an installer), then run this again")
		}
		return hint.With(err, "install Go "+te.Check.Required+" or newer (ask the organiser for an installer: with no network go cannot fetch one), then run this again; nothing was written")
	case errors.As(err, &ve):
		return hint.With(err, "copy the image again (from the organiser or a neighbour's stick) and rerun; nothing was written")
	case errors.As(err, &re):
		return hint.With(err, "the repository is in place but a module it needs is not in the image; ask the organiser to re-stage it ('sprintkit image'), or connect to the network and run 'go mod download' in "+dest)
	case errors.As(err, &de):
		return hint.With(err, "choose another --dir, or remove "+de.Dir+" first")
	}
	return err
}

// CloneError turns a checkout error into a message with its hint. With
// SPRINTKIT_DEBUG=1 the underlying go-git error goes to Events.Debug,
// redacted too.
func CloneError(err error, rawURL string, ev Events) error {
	var ce *checkout.Error
	if errors.As(err, &ce) {
		if ce.Kind == checkout.ErrInterrupted {
			return err // reported as "interrupted", exit 130
		}
		if ce.Err != nil {
			ev.debug("%s", checkout.RedactText(ce.Err.Error(), rawURL))
		}
		return hint.With(errors.New(ce.Msg), ce.Hint)
	}
	return errors.New(checkout.RedactText(err.Error(), rawURL))
}

// isCheckoutDir reports whether arg, of the given checkout.Transport, names
// a directory to set up in place: a directory that is not a bare
// repository (a bare one is a clone source).
func isCheckoutDir(arg, transport string) bool {
	if transport != "file" || strings.HasPrefix(arg, "file://") {
		return false
	}
	fi, err := os.Stat(arg)
	if err != nil || !fi.IsDir() {
		return false
	}
	if _, err := os.Stat(filepath.Join(arg, ".git")); err == nil {
		return true
	}
	bare := true
	for _, n := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(arg, n)); err != nil {
			bare = false
		}
	}
	return !bare
}

func cloneProgressText(p checkout.Progress) string {
	switch p.Phase {
	case "counting", "compressing", "enumerating":
		if p.TotalObjects > 0 {
			return fmt.Sprintf("%s objects %d/%d", p.Phase, p.Objects, p.TotalObjects)
		}
	case "receiving":
		t := "receiving"
		if p.TotalObjects > 0 {
			t += fmt.Sprintf(" %d objects", p.TotalObjects)
		}
		return t
	case "checkout":
		return "writing files"
	}
	return p.Phase
}

// BranchName is the branch for a person: "detached HEAD" when there is none.
func BranchName(branch string) string {
	if branch == "" {
		return "detached HEAD"
	}
	return branch
}
