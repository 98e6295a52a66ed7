package checkout

import (
	"path/filepath"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// TestOpenALinkedWorktreeFollowsItsGitFile opens a checkout made with
// `git worktree add`, whose .git is a file: it has the commit and branch
// of the worktree, not "no commits yet".
func TestOpenALinkedWorktreeFollowsItsGitFile(t *testing.T) {
	testkit.NeedGit(t)
	root := t.TempDir()
	main := filepath.Join(root, "main")
	gitRun(t, root, "init", "-q", "-b", "main", main)
	commit(t, main, "first", map[string]string{"a.go": "package a\n"})
	head := commit(t, main, "second", map[string]string{"b.go": "package a\n"})
	wt := filepath.Join(root, "wt")
	gitRun(t, main, "worktree", "add", "-q", "-b", "feature", wt)
	newer := commit(t, wt, "on the worktree", map[string]string{"c.go": "package a\n"})
	if newer == head {
		t.Fatal("the worktree's commit is the main one's")
	}
	for _, dir := range []string{wt, filepath.Join(wt, "sub")} {
		if dir != wt {
			testkit.WriteTree(t, wt, map[string]string{"sub/x.go": "package sub\n"})
		}
		res, err := Open(dir)
		if err != nil {
			t.Fatalf("open %s: %v", dir, err)
		}
		if res.Commit != newer || res.Branch != "feature" || res.Subject != "on the worktree" {
			t.Errorf("open %s: commit %s on %q (%q), want %s on feature", dir, res.Commit, res.Branch, res.Subject, newer)
		}
		if res.Dir != wt {
			t.Errorf("open %s: work tree %s, want %s", dir, res.Dir, wt)
		}
	}
}
