package patchcov

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/sprintkit/sprintkit/internal/hint"
)

// Changes is the diff of a working tree against a commit, reduced to what
// patch coverage needs: for each file, the lines added or changed.
type Changes struct {
	Ref string // the commit the tree was compared with, as given
	// Files maps a path relative to the directory the diff was taken in
	// (slash-separated) to its added lines, sorted, moved lines left out.
	Files map[string][]int
}

// Lines returns the added lines of rel, sorted.
func (c *Changes) Lines(rel string) []int { return c.Files[rel] }

// Backend names a way of computing diffs.
type Backend string

const (
	GitCLI Backend = "git"    // the git command
	GoGit  Backend = "go-git" // github.com/go-git/go-git, in process
)

// DefaultBackend is the git CLI when git is on PATH, else go-git;
// SPRINTKIT_DIFF=go-git or =git chooses.
func DefaultBackend() Backend {
	switch os.Getenv("SPRINTKIT_DIFF") {
	case string(GoGit):
		return GoGit
	case string(GitCLI):
		return GitCLI
	}
	if _, err := exec.LookPath("git"); err == nil {
		return GitCLI
	}
	return GoGit
}

// Diff compares the working tree of the repository holding dir with ref
// (a commit, branch or tag) and returns the changed lines of the files under
// dir, with paths relative to dir.
func Diff(ctx context.Context, dir, ref string, b Backend) (*Changes, error) {
	if ref == "" {
		ref = "HEAD"
	}
	var fs []fileDiff
	var err error
	switch b {
	case GoGit:
		fs, err = diffGoGit(dir, ref)
	default:
		fs, err = diffGitCLI(ctx, dir, ref)
	}
	if err != nil {
		return nil, err
	}
	return reduce(ref, fs), nil
}

// fileDiff is one file's added lines (number and text) and removed texts.
type fileDiff struct {
	path    string // new path, relative to the diff's directory; "" when deleted
	added   []line
	removed []string
}

type line struct {
	n    int
	text string
}

// reduce applies the moved-line rule (see the package doc) and keeps the
// added lines that remain.
func reduce(ref string, fs []fileDiff) *Changes {
	removed := map[string]int{}
	for _, f := range fs {
		for _, t := range f.removed {
			removed[strings.TrimSpace(t)]++
		}
	}
	// Files in path order so that which of two equal added lines a removed
	// line cancels does not depend on the backend's order.
	sort.Slice(fs, func(i, j int) bool { return fs[i].path < fs[j].path })
	c := &Changes{Ref: ref, Files: map[string][]int{}}
	for _, f := range fs {
		if f.path == "" {
			continue
		}
		var keep []int
		for _, l := range f.added {
			t := strings.TrimSpace(l.text)
			if removed[t] > 0 {
				removed[t]--
				continue
			}
			keep = append(keep, l.n)
		}
		if len(keep) > 0 {
			sort.Ints(keep)
			c.Files[f.path] = keep
		}
	}
	return c
}

// runGit runs git in dir and returns its standard output.
func runGit(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-c", "core.quotepath=off"}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg == "" {
			return nil, fmt.Errorf("git %s: %w", args[0], err)
		}
		return nil, fmt.Errorf("git %s: %s: %w", args[0], msg, err)
	}
	return out, nil
}

func diffGitCLI(ctx context.Context, dir, ref string) ([]fileDiff, error) {
	if _, err := runGit(ctx, dir, "rev-parse", "--git-dir"); err != nil {
		return nil, hint.With(fmt.Errorf("%s is not in a git repository: %w", dir, err),
			"the change is measured against git history: run it in a git checkout")
	}
	if _, err := runGit(ctx, dir, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return nil, hint.With(fmt.Errorf("diff against %s: not a commit of the repository at %s", ref, dir),
			"give a commit, branch or tag that exists here (git log --oneline shows them)")
	}
	out, err := runGit(ctx, dir, "diff", "-U0", "-M", "--relative", "--no-color", "--no-ext-diff",
		"--no-textconv", "--src-prefix=a/", "--dst-prefix=b/", ref, "--")
	if err != nil {
		return nil, fmt.Errorf("diff against %s: %w", ref, err)
	}
	fs, err := parseUnified(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("diff against %s: %w", ref, err)
	}
	others, err := runGit(ctx, dir, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
	if err != nil {
		return nil, fmt.Errorf("list untracked files: %w", err)
	}
	for _, p := range strings.Split(string(others), "\x00") {
		if p == "" {
			continue
		}
		f, err := wholeFile(filepath.Join(dir, filepath.FromSlash(p)), p)
		if err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	return fs, nil
}

// wholeFile reads a new file as all added lines. A binary file (a NUL in
// its first 8000 bytes, git's test) adds none.
func wholeFile(abs, rel string) (fileDiff, error) {
	data, err := os.ReadFile(abs)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fileDiff{}, nil // gone since it was listed
		}
		return fileDiff{}, fmt.Errorf("read untracked file %s: %w", rel, err)
	}
	f := fileDiff{path: rel}
	if bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 {
		return f, nil
	}
	for i, t := range splitLines(data) {
		f.added = append(f.added, line{n: i + 1, text: t})
	}
	return f, nil
}

func splitLines(data []byte) []string {
	s := string(data)
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// parseUnified reads `git diff -U0` output: per file a "diff --git" header,
// "--- a/old" and "+++ b/new" (or /dev/null), then hunks
// "@@ -l,s +l,s @@" whose lines start with '-', '+' or '\' (no newline at end
// of file). Paths with unusual characters come C-quoted ("b/t\tab.go").
// Binary files have no hunks and add nothing.
func parseUnified(r io.Reader) ([]fileDiff, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	var fs []fileDiff
	var cur *fileDiff
	next := 0 // the new-file line number of the next '+' line
	n := 0
	for sc.Scan() {
		n++
		t := sc.Text()
		switch {
		case strings.HasPrefix(t, "diff --git "):
			fs = append(fs, fileDiff{})
			cur = &fs[len(fs)-1]
		case cur == nil:
			return nil, fmt.Errorf("git diff output line %d: want \"diff --git\", got %q", n, t)
		case next == 0 && strings.HasPrefix(t, "+++ "):
			p := strings.TrimPrefix(t, "+++ ")
			if p == "/dev/null" {
				cur.path = ""
				continue
			}
			if strings.HasPrefix(p, `"`) {
				u, err := strconv.Unquote(p)
				if err != nil {
					return nil, fmt.Errorf("git diff output line %d: path %s: %w", n, p, err)
				}
				p = u
			}
			cur.path = strings.TrimPrefix(p, "b/")
		case strings.HasPrefix(t, "@@ "):
			// @@ -a[,b] +c[,d] @@ ...
			f := strings.Fields(t)
			if len(f) < 3 || !strings.HasPrefix(f[2], "+") {
				return nil, fmt.Errorf("git diff output line %d: bad hunk header %q", n, t)
			}
			start, _, _ := strings.Cut(f[2][1:], ",")
			v, err := strconv.Atoi(start)
			if err != nil {
				return nil, fmt.Errorf("git diff output line %d: bad hunk header %q", n, t)
			}
			next = v
		case next > 0 && strings.HasPrefix(t, "+"):
			cur.added = append(cur.added, line{n: next, text: t[1:]})
			next++
		case next > 0 && strings.HasPrefix(t, "-"):
			cur.removed = append(cur.removed, t[1:])
		default:
			// extended headers (index, rename from, similarity, Binary
			// files ... differ, \ No newline at end of file)
		}
		if strings.HasPrefix(t, "diff --git ") {
			next = 0
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read git diff output: %w", err)
	}
	return fs, nil
}
