package image

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/pyenv"
	"github.com/sprintkit/sprintkit/internal/state"
)

// A dirty checkout
//
// An image serves its repository to sprinters (git clone from `sprintkit
// serve`) and a report measured on the checkout's working tree. When the
// working tree holds changes that are not committed (modified, added,
// deleted or untracked files that git does not ignore), the two differ: a
// sprinter's clone has the commit, the report the changes. So staging
// refuses a dirty checkout unless StageOptions.AllowDirty, and then
// commits the working tree in the image's copy of the repository (a
// snapshot commit on top of HEAD: never in the user's repository or
// index), which becomes the manifest's commit and the baseline's. A clone
// of the served repository then holds exactly what the report measured
// (files git ignores apart, which no clone holds).

// dirtyShown is how many of the changed files the refusal names.
const dirtyShown = 5

// gitStatus returns the entries of `git status --porcelain
// --untracked-files=all` in dir ("M a.go", "?? new.go"), sprintkit's own
// state, the virtual environment and Python's byte code left out; none when git is missing or fails (the image is staged as it
// always was, and the manifest says nothing of changes).
func gitStatus(ctx context.Context, dir string) []string {
	if _, err := exec.LookPath("git"); err != nil {
		return nil
	}
	cmd := exec.CommandContext(ctx, "git", "--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all", "--ignore-submodules")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0")
	b, err := cmd.Output()
	if err != nil {
		return nil
	}
	var out []string
	fields := strings.Split(string(b), "\x00")
	for i := 0; i < len(fields); i++ {
		e := fields[i]
		if len(e) < 4 {
			continue
		}
		if e[0] == 'R' || e[0] == 'C' {
			i++ // a rename's or a copy's source follows
		}
		p := e[3:]
		if strings.HasPrefix(p, state.DirName+"/") || strings.HasPrefix(p, pyenv.VenvName+"/") || (e[:2] == "??" && byteCode(p)) {
			continue
		}
		out = append(out, strings.TrimSpace(e[:2])+" "+p)
	}
	return out
}

// byteCode reports Python's byte-code caches (__pycache__/, *.pyc), which
// a test run leaves in a checkout that does not ignore them: output, not
// a change, which neither the refusal counts nor a snapshot commits.
func byteCode(p string) bool {
	return strings.HasSuffix(p, ".pyc") || strings.HasPrefix(p, "__pycache__/") || strings.Contains(p, "/__pycache__/")
}

// byteCodeExcludes are the pathspecs that keep byteCode's files out of a
// snapshot.
var byteCodeExcludes = []string{":(exclude,glob)**/__pycache__/**", ":(exclude,glob)**/*.pyc"}

// dirtyError is the refusal of a checkout with the changes dirty.
func dirtyError(src string, dirty []string) error {
	shown := strings.Join(firstN(dirty, dirtyShown), ", ") // "a, b, and 2 more"
	n := "1 file"
	if len(dirty) != 1 {
		n = fmt.Sprintf("%d files", len(dirty))
	}
	return hint.With(fmt.Errorf("the checkout %s has uncommitted changes (%s): %s; the image would serve a repository that does not match its report", src, n, shown),
		"commit (or stash) them and stage again, or pass --allow-dirty to serve them as a snapshot commit on top of HEAD")
}

// snapshotCommit commits the working tree of the image's repository copy
// repo (every change and untracked file that git does not ignore) on top
// of its HEAD, base, and returns the new commit. The commit is made with
// the copy's own git directory and index, by a fixed author at base's
// date, so that the same changes give the same commit when staging again.
func snapshotCommit(ctx context.Context, repo, base string, env []string) (string, error) {
	gitDir := filepath.Join(repo, ".git")
	env = setEnv(env, "GIT_DIR", gitDir)
	env = setEnv(env, "GIT_WORK_TREE", repo)
	env = setEnv(env, "GIT_INDEX_FILE", filepath.Join(gitDir, "index"))
	env = setEnv(env, "GIT_OPTIONAL_LOCKS", "0")
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-c", "core.hooksPath=" + os.DevNull, "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir, cmd.Env = repo, env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("snapshot of the uncommitted changes: git %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
		}
		return strings.TrimSpace(string(b)), nil
	}
	if _, err := exec.LookPath("git"); err != nil {
		return "", errors.New("snapshot of the uncommitted changes: git is not on PATH")
	}
	date, err := git("log", "-1", "--format=%cI", base)
	if err != nil {
		return "", err
	}
	for _, kv := range [][2]string{{"GIT_AUTHOR_NAME", "sprintkit image"}, {"GIT_AUTHOR_EMAIL", "sprintkit@localhost"}, {"GIT_AUTHOR_DATE", date},
		{"GIT_COMMITTER_NAME", "sprintkit image"}, {"GIT_COMMITTER_EMAIL", "sprintkit@localhost"}, {"GIT_COMMITTER_DATE", date}} {
		env = setEnv(env, kv[0], kv[1])
	}
	if _, err := git(append([]string{"add", "-A", "--", "."}, byteCodeExcludes...)...); err != nil {
		return "", err
	}
	if _, err := git("commit", "-q", "--no-verify", "--allow-empty", "-m", "sprintkit image: the uncommitted changes of the organiser's checkout, on top of "+base); err != nil {
		return "", err
	}
	return git("rev-parse", "HEAD")
}
