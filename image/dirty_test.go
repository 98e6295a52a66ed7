package image

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/copier"
	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/testkit"
)

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=T", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = dir
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, b)
	}
	return strings.TrimSpace(string(b))
}

func TestGitStatusNamesEveryChangeButSprintkitsState(t *testing.T) {
	testkit.NeedGit(t)
	dir := t.TempDir()
	testkit.WriteTree(t, dir, map[string]string{"a.go": "package a\n", "b.go": "package a\n", "c.go": "package a\n", ".gitignore": "*.log\n"})
	gitIn(t, dir, "init", "-q", "-b", "main")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "first")
	if got := gitStatus(context.Background(), dir); len(got) != 0 {
		t.Fatalf("a clean checkout: %q", got)
	}
	testkit.WriteTree(t, dir, map[string]string{
		"a.go": "package a // changed\n", "new file.go": "package a\n", "run.log": "ignored\n",
		".sprintkit/baseline.json": "{}", ".venv/bin/python": "",
		"pkg/__pycache__/m.cpython-311.pyc": "", "top.pyc": "",
	})
	gitIn(t, dir, "mv", "b.go", "renamed.go")
	noErr(t, os.Remove(filepath.Join(dir, "c.go")))
	got := gitStatus(context.Background(), dir)
	want := []string{"M a.go", "D c.go", "R renamed.go", "?? new file.go"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("gitStatus = %q, want %q", got, want)
	}
}

func TestTheRefusalOfADirtyCheckoutNamesTheFirstFilesAndTheCount(t *testing.T) {
	tests := []struct {
		name  string
		dirty []string
		want  string
	}{
		{"one file", []string{"M a.go"}, "(1 file): M a.go;"},
		{"more than five are counted", []string{"M a", "M b", "M c", "M d", "M e", "?? f", "?? g"}, "(7 files): M a, M b, M c, M d, M e, and 2 more;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := dirtyError("/src", tt.dirty)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if h := hint.Of(err); !strings.Contains(h, "--allow-dirty") {
				t.Errorf("hint %q does not name --allow-dirty", h)
			}
		})
	}
}

func TestTheSnapshotCommitHoldsTheWorkingTreeAndLeavesTheSourceAlone(t *testing.T) {
	testkit.NeedGit(t)
	src := t.TempDir()
	testkit.WriteTree(t, src, map[string]string{"a.go": "package a\n"})
	gitIn(t, src, "init", "-q", "-b", "main")
	gitIn(t, src, "add", "-A")
	gitIn(t, src, "commit", "-q", "-m", "first")
	base := gitIn(t, src, "rev-parse", "HEAD")
	testkit.WriteTree(t, src, map[string]string{"a.go": "package a // changed\n", "new.go": "package a\n", "pkg/__pycache__/m.pyc": "", "pkg/m.py": ""})
	index, err := os.ReadFile(filepath.Join(src, ".git", "index"))
	noErr(t, err)

	repo := filepath.Join(t.TempDir(), "repo")
	_, err = copier.Copy(context.Background(), src, repo, copier.Options{})
	noErr(t, err)
	var snaps []string
	for i := range 2 {
		snap, err := snapshotCommit(context.Background(), repo, base, os.Environ())
		noErr(t, err)
		snaps = append(snaps, snap)
		if i == 0 {
			gitIn(t, repo, "reset", "-q", "--soft", base) // staging again starts from the checkout's HEAD
		}
	}
	if snaps[0] != snaps[1] || snaps[0] == base {
		t.Errorf("snapshots %v of base %s: want one new commit, the same both times", snaps, base)
	}
	if got := gitIn(t, repo, "show", snaps[0]+":a.go"); got != "package a // changed" {
		t.Errorf("the snapshot's a.go = %q", got)
	}
	gitIn(t, repo, "cat-file", "-e", snaps[0]+":new.go")
	gitIn(t, repo, "cat-file", "-e", snaps[0]+":pkg/m.py")
	if out, err := exec.Command("git", "-C", repo, "cat-file", "-e", snaps[0]+":pkg/__pycache__/m.pyc").CombinedOutput(); err == nil {
		t.Errorf("the snapshot holds Python's byte code: %s", out)
	}
	if got := gitIn(t, repo, "rev-parse", snaps[0]+"^"); got != base {
		t.Errorf("the snapshot's parent = %s, want %s", got, base)
	}
	if got := gitIn(t, src, "rev-parse", "HEAD"); got != base {
		t.Errorf("the source's HEAD moved to %s", got)
	}
	after, err := os.ReadFile(filepath.Join(src, ".git", "index"))
	noErr(t, err)
	if string(after) != string(index) {
		t.Error("the source's index changed")
	}
	// gitIn trims the status's first blank.
	if got := gitIn(t, src, "status", "--porcelain"); got != "M a.go\n?? new.go\n?? pkg/" {
		t.Errorf("the source's status = %q", got)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
