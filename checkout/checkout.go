// Package checkout clones or opens the repository a newcomer works on, with
// go-git, and tells what kind of project it holds.
//
// Clone is fast by default: one commit deep, one branch, no tags, which is
// what `git clone --depth 1 --single-branch --no-tags` does. (go-git fetches
// every tag unless told otherwise, which makes even a depth-1 clone several
// times slower on a project with many releases.)
//
// Transports are go-git's: https and http (credentials in the URL become
// basic auth), ssh (the SSH agent, or a key file), git://, and file:// or a
// plain local path. go-git serves file:// and local paths by running the
// git-upload-pack program, so those two need git installed.
//
// Every error Clone returns is an *Error: what happened and what to do, with
// credentials removed from every URL it quotes (see Redact).
//
// Besides Clone and Open, the package tells what a checkout holds (Detect:
// Go module, go.work workspace, Python project) and fetches a Go project's
// dependencies with progress (DownloadGo). It prints nothing: progress goes
// to callbacks, which the CLI draws.
package checkout

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// Options says what to clone and how.
type Options struct {
	URL string // as the user typed it; kept as given in .git/config
	// Dir is the destination. It must not exist, or be an empty directory.
	Dir string
	// Branch to clone; empty means the remote's default branch (HEAD).
	Branch string
	// Depth is the number of commits to fetch; 0 means the whole history.
	// The CLI's default is 1.
	Depth int
	// Tags fetches every tag of the remote (each with Depth commits of its
	// own history). go-git cannot "follow" only the tags that point into a
	// single-branch fetch the way git does, so it is all or none.
	Tags bool
	// SSHKey is a private key file for ssh URLs; empty means the SSH agent.
	SSHKey string
	// Progress, when set, is called as the clone advances, at most every
	// 200 ms and once at the end of each phase.
	Progress func(Progress)
}

// Progress is a snapshot of a running clone.
type Progress struct {
	// Phase is "connecting", "counting", "compressing", "receiving" or
	// "checkout".
	Phase string
	// Objects and TotalObjects count the objects the server prepares
	// (from its "Counting objects: 40% (400/1000)" messages); 0 when the
	// server sends none.
	Objects, TotalObjects int
	// Bytes is the size of the pack received so far; Rate is Bytes per
	// second since the clone started.
	Bytes int64
	Rate  float64
}

// Result describes a checkout.
type Result struct {
	Dir      string        `json:"dir"`
	Source   string        `json:"source,omitempty"` // the URL with credentials redacted
	Branch   string        `json:"branch,omitempty"` // empty on a detached HEAD
	Commit   string        `json:"commit"`
	Subject  string        `json:"subject,omitempty"` // first line of the commit message
	Files    int           `json:"files"`             // entries in the index
	Bytes    int64         `json:"pack_bytes,omitempty"`
	Shallow  bool          `json:"shallow,omitempty"`
	Duration time.Duration `json:"-"`
}

// DefaultDir returns the directory `git clone URL` would create: the last
// path element of the URL without ".git" (and without a trailing "/.git").
func DefaultDir(rawURL string) string {
	s := strings.TrimRight(rawURL, "/\\")
	s = strings.TrimSuffix(s, "/.git")
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		s = u.Path
		if s == "" || s == "/" {
			s = u.Host
		}
	} else if i := strings.Index(s, ":"); i > 0 && !strings.ContainsAny(s[:i], "/\\") && len(s[:i]) > 1 {
		s = s[i+1:] // scp-like: git@host:org/project.git
	}
	s = strings.TrimRight(s, "/\\")
	name := path.Base(filepath.ToSlash(s))
	name = strings.TrimSuffix(name, ".git")
	if name == "" || name == "." || name == "/" || name == ".." {
		return "project"
	}
	return name
}

// Transport names the transport go-git uses for rawURL: "https", "http",
// "ssh", "git" or "file".
func Transport(rawURL string) string {
	if i := strings.Index(rawURL, "://"); i > 0 {
		s := strings.ToLower(rawURL[:i])
		switch s {
		case "git+ssh", "ssh+git":
			return "ssh"
		}
		return s
	}
	// scp-like "user@host:path" or "host:path"; a Windows drive "C:\..." is a path.
	if i := strings.Index(rawURL, ":"); i > 1 && !strings.ContainsAny(rawURL[:i], "/\\") {
		return "ssh"
	}
	return "file"
}

// Clone clones opts.URL into opts.Dir. On any error, or when ctx is
// cancelled, the destination is left as it was found: a directory Clone
// created is removed, an empty directory is emptied again. A destination
// that exists and is not empty is refused before anything is written.
func Clone(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	if opts.URL == "" {
		return nil, &Error{Kind: ErrUsage, Msg: "no repository URL given", Hint: "sprintkit setup https://host/org/project.git"}
	}
	dir := opts.Dir
	if dir == "" {
		dir = DefaultDir(opts.URL)
	}
	source := Redact(opts.URL)
	created, err := prepareDest(dir)
	if err != nil {
		return nil, err
	}
	cleanup := func() {
		if created {
			os.RemoveAll(dir)
			return
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}

	co := &git.CloneOptions{
		URL:          opts.URL,
		Depth:        opts.Depth,
		SingleBranch: true,
		Tags:         git.NoTags,
	}
	if opts.Tags {
		co.Tags = git.AllTags
	}
	if opts.Branch != "" {
		co.ReferenceName = plumbing.NewBranchReferenceName(opts.Branch)
	}
	if Transport(opts.URL) == "ssh" {
		auth, err := sshAuth(opts.URL, opts.SSHKey)
		if err != nil {
			cleanup()
			return nil, err
		}
		co.Auth = auth
	}

	var pw *progressWriter
	if opts.Progress != nil {
		pw = newProgressWriter(dir, start, opts.Progress)
		co.Progress = pw
		pw.report("connecting")
		pw.poll(ctx)
	}

	// The clone runs in its own goroutine so that a cancelled ctx returns
	// promptly even if go-git is slow to notice; the directory is removed
	// once nothing writes into it any more.
	type outcome struct {
		repo *git.Repository
		err  error
	}
	done := make(chan outcome, 1)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	co.NoCheckout = true // writeWorktree is faster than go-git's checkout
	go func() {
		r, err := git.PlainCloneContext(cctx, dir, false, co)
		if err == nil {
			var head *plumbing.Reference
			if head, err = r.Head(); err == nil {
				pw.report("checkout")
				_, err = writeWorktree(cctx, dir, head.Hash())
			}
		}
		done <- outcome{r, err}
	}()
	var out outcome
	select {
	case out = <-done:
	case <-ctx.Done():
		cancel()
		select {
		case out = <-done:
		case <-time.After(2 * time.Second):
			// go-git is still writing (checkout ignores ctx); clean up
			// when it stops, and return now.
			go func() { <-done; cleanup() }()
			pw.stop()
			return nil, interrupted(ctx.Err())
		}
		if out.err == nil {
			out.err = ctx.Err()
		}
	}
	pw.stop()
	if out.err != nil {
		cleanup()
		if ctx.Err() != nil {
			return nil, interrupted(ctx.Err())
		}
		return nil, explain(out.err, opts)
	}
	res, err := describe(out.repo, dir)
	if err != nil {
		cleanup()
		return nil, explain(err, opts)
	}
	res.Source = source
	res.Duration = time.Since(start)
	res.Shallow = opts.Depth > 0
	res.Bytes = packBytes(dir)
	return res, nil
}

// Open describes the repository whose work tree is (or contains) dir.
func Open(dir string) (*Result, error) {
	// A linked worktree (git worktree add) has a .git file naming its own
	// directory under the main repository's .git/worktrees, whose refs and
	// objects are in the common directory that names: go-git follows it only
	// when asked, and would otherwise find no branch ("no commits yet").
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, &Error{Kind: ErrNotRepository, Msg: fmt.Sprintf("%s is not a git checkout", dir), Err: err,
				Hint: "run 'git init' there, or pass a repository URL to clone"}
		}
		return nil, explain(err, Options{URL: dir})
	}
	res, err := describe(r, dir)
	if err != nil {
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			return nil, &Error{Kind: ErrEmpty, Msg: fmt.Sprintf("the checkout in %s has no commits yet", dir), Err: err,
				Hint: "commit the project first (git add -A && git commit), or pass the repository URL to clone"}
		}
		return nil, &Error{Kind: ErrOther, Msg: fmt.Sprintf("read the checkout in %s: %v", dir, err), Err: err}
	}
	if wt, err := r.Worktree(); err == nil {
		res.Dir = wt.Filesystem.Root()
	}
	if rem, err := r.Remote("origin"); err == nil && len(rem.Config().URLs) > 0 {
		res.Source = Redact(rem.Config().URLs[0])
	}
	if sh, err := r.Storer.Shallow(); err == nil && len(sh) > 0 {
		res.Shallow = true
	}
	return res, nil
}

func describe(r *git.Repository, dir string) (*Result, error) {
	res := &Result{Dir: dir}
	head, err := r.Head()
	if err != nil {
		return nil, fmt.Errorf("read HEAD: %w", err)
	}
	res.Commit = head.Hash().String()
	if head.Name().IsBranch() {
		res.Branch = head.Name().Short()
	}
	if c, err := r.CommitObject(head.Hash()); err == nil {
		res.Subject, _, _ = strings.Cut(strings.TrimSpace(c.Message), "\n")
	}
	if idx, err := r.Storer.Index(); err == nil {
		res.Files = len(idx.Entries)
	}
	return res, nil
}

// CheckDest reports whether dir can receive a clone: it does not exist, or
// is an empty directory. It writes nothing; the error is an *Error with a
// hint.
func CheckDest(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && !fi.IsDir() {
		return &Error{Kind: ErrDestination, Msg: fmt.Sprintf("%s exists and is not a directory", dir),
			Hint: "choose another destination with --dir"}
	}
	_, err = prepareDest(dir)
	return err
}

// prepareDest checks the destination: a missing directory is created
// (created reports it), an empty one is used, anything else is refused.
func prepareDest(dir string) (created bool, err error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return false, &Error{Kind: ErrDestination, Msg: fmt.Sprintf("create %s: %v", dir, errors.Unwrap(err)), Err: err,
				Hint: "choose a directory you can write to with --dir"}
		}
		return true, nil
	case err != nil:
		return false, &Error{Kind: ErrDestination, Msg: fmt.Sprintf("check %s: %v", dir, err), Err: err}
	case !fi.IsDir():
		return false, &Error{Kind: ErrDestination, Msg: fmt.Sprintf("%s exists and is not a directory", dir),
			Hint: "choose another destination with --dir"}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false, &Error{Kind: ErrDestination, Msg: fmt.Sprintf("read %s: %v", dir, err), Err: err}
	}
	if len(ents) > 0 {
		hint := fmt.Sprintf("choose another destination with --dir, or set up the existing checkout in place: sprintkit setup %s", dir)
		if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
			hint = "choose another destination with --dir, or remove it yourself if you no longer need it"
		}
		return false, &Error{Kind: ErrDestination, Msg: fmt.Sprintf("%s already exists and is not empty; nothing was written into it", dir), Hint: hint}
	}
	return false, nil
}

func sshAuth(rawURL, keyFile string) (transport.AuthMethod, error) {
	user := "git"
	if ep, err := transport.NewEndpoint(rawURL); err == nil && ep.User != "" {
		user = ep.User
	}
	if keyFile != "" {
		a, err := gitssh.NewPublicKeysFromFile(user, keyFile, os.Getenv("SPRINTKIT_SSH_KEY_PASSPHRASE"))
		if err != nil {
			return nil, &Error{Kind: ErrAuth, Msg: fmt.Sprintf("read ssh key %s: %v", keyFile, err), Err: err,
				Hint: "pass an unencrypted key with --ssh-key, set SPRINTKIT_SSH_KEY_PASSPHRASE, or load the key into ssh-agent (ssh-add)"}
		}
		return a, nil
	}
	a, err := gitssh.NewSSHAgentAuth(user)
	if err != nil {
		return nil, &Error{Kind: ErrAuth, Msg: "no SSH agent to authenticate with", Err: err,
			Hint: "start ssh-agent and run 'ssh-add', pass a key with --ssh-key, or clone the https URL instead"}
	}
	return a, nil
}

func packBytes(dir string) int64 {
	n, _ := packState(dir)
	return n
}
