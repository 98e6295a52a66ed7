package patchcov

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/utils/diff"
	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/sprintkit/sprintkit/internal/hint"
)

// diffGoGit is diffGitCLI in process: the files that differ are those
// go-git's status reports against HEAD, plus those that differ between REF
// and HEAD; each is diffed line by line (Myers) between its REF blob and the
// working file. Renames are not detected: a renamed file is a deletion and
// an addition, and the moved-line rule cancels its unchanged lines.
func diffGoGit(dir, ref string) ([]fileDiff, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, hint.With(fmt.Errorf("%s is not in a git repository: %w", dir, err),
			"the change is measured against git history: run it in a git checkout")
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, fmt.Errorf("open the working tree of %s: %w", dir, err)
	}
	prefix, err := subdir(wt.Filesystem.Root(), dir)
	if err != nil {
		return nil, err
	}
	h, err := repo.ResolveRevision(plumbing.Revision(ref))
	if err != nil {
		return nil, hint.With(fmt.Errorf("diff against %s: not a commit of the repository at %s: %w", ref, dir, err),
			"give a commit, branch or tag that exists here (git log --oneline shows them)")
	}
	refCommit, err := repo.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("diff against %s: %w", ref, err)
	}
	refTree, err := refCommit.Tree()
	if err != nil {
		return nil, fmt.Errorf("diff against %s: read its tree: %w", ref, err)
	}

	paths := map[string]bool{}
	st, err := wt.Status()
	if err != nil {
		return nil, fmt.Errorf("status of %s: %w", dir, err)
	}
	for p, s := range st {
		if s.Worktree != git.Unmodified || s.Staging != git.Unmodified {
			paths[p] = true
		}
	}
	if head, err := repo.Head(); err == nil && head.Hash() != *h {
		hc, err := repo.CommitObject(head.Hash())
		if err != nil {
			return nil, fmt.Errorf("read HEAD: %w", err)
		}
		ht, err := hc.Tree()
		if err != nil {
			return nil, fmt.Errorf("read HEAD's tree: %w", err)
		}
		chs, err := object.DiffTree(refTree, ht)
		if err != nil {
			return nil, fmt.Errorf("diff %s with HEAD: %w", ref, err)
		}
		for _, ch := range chs {
			if ch.From.Name != "" {
				paths[ch.From.Name] = true
			}
			if ch.To.Name != "" {
				paths[ch.To.Name] = true
			}
		}
	}

	var fs []fileDiff
	for p := range paths {
		rel, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		var old string
		if f, err := refTree.File(p); err == nil {
			if old, err = f.Contents(); err != nil {
				return nil, fmt.Errorf("read %s at %s: %w", p, ref, err)
			}
		} else if !errors.Is(err, object.ErrFileNotFound) {
			return nil, fmt.Errorf("read %s at %s: %w", p, ref, err)
		}
		cur, err := os.ReadFile(filepath.Join(wt.Filesystem.Root(), filepath.FromSlash(p)))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		if binary([]byte(old)) || binary(cur) {
			continue
		}
		fs = append(fs, lineDiff(rel, old, string(cur), err == nil))
	}
	return fs, nil
}

func binary(b []byte) bool { return bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0 }

// lineDiff diffs two versions of a file line by line. exists is false when
// the file is gone from the working tree.
func lineDiff(rel, old, cur string, exists bool) fileDiff {
	f := fileDiff{}
	if exists {
		f.path = rel
	}
	n := 1
	for _, d := range diff.Do(old, cur) {
		lines := chunkLines(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			n += len(lines)
		case diffmatchpatch.DiffInsert:
			for _, t := range lines {
				f.added = append(f.added, line{n: n, text: t})
				n++
			}
		case diffmatchpatch.DiffDelete:
			f.removed = append(f.removed, lines...)
		}
	}
	return f
}

// subdir returns dir relative to the working tree root, slash-separated
// with a trailing slash, or "" for the root itself.
func subdir(root, dir string) (string, error) {
	r, err1 := filepath.EvalSymlinks(root)
	d, err2 := filepath.Abs(dir)
	if err2 == nil {
		d, err2 = filepath.EvalSymlinks(d)
	}
	if err := errors.Join(err1, err2); err != nil {
		return "", fmt.Errorf("locate %s in its repository: %w", dir, err)
	}
	rel, err := filepath.Rel(r, d)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("locate %s in its repository %s: outside it", dir, root)
	}
	if rel == "." {
		return "", nil
	}
	return path.Clean(filepath.ToSlash(rel)) + "/", nil
}

// chunkLines splits a line-mode diff chunk ("a\n\nb\n", or without the last
// newline at the end of a file) into its lines.
func chunkLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
