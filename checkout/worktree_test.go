package checkout

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestCloneWritesModesLinksAndACleanIndex(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("modes and links differ on windows")
	}
	work := filepath.Join(t.TempDir(), "src")
	os.MkdirAll(filepath.Join(work, "deep", "er", "est"), 0o755)
	gitRun(t, work, "init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(work, "run.sh"), []byte("#!/bin/sh\necho hi\n"), 0o755)
	os.WriteFile(filepath.Join(work, "deep", "er", "est", "leaf.txt"), []byte("leaf\n"), 0o644)
	os.Symlink("deep/er/est/leaf.txt", filepath.Join(work, "link"))
	commit(t, work, "modes", map[string]string{"big.bin": strings.Repeat("0123456789abcdef", 1<<20)}) // 16 MiB: streamed
	root := t.TempDir()
	gitRun(t, root, "clone", "-q", "--bare", work, filepath.Join(root, "m.git"))

	dst := filepath.Join(t.TempDir(), "m")
	res, err := Clone(context.Background(), Options{URL: filepath.Join(root, "m.git"), Dir: dst, Depth: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 4 {
		t.Errorf("files = %d, want 4", res.Files)
	}
	if fi, err := os.Stat(filepath.Join(dst, "run.sh")); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("run.sh is not executable: %v %v", fi.Mode(), err)
	}
	if target, err := os.Readlink(filepath.Join(dst, "link")); err != nil || target != "deep/er/est/leaf.txt" {
		t.Errorf("link = %q, %v; want a symlink to deep/er/est/leaf.txt", target, err)
	}
	if fi, err := os.Stat(filepath.Join(dst, "big.bin")); err != nil || fi.Size() != 16<<20 {
		t.Errorf("big.bin: %v, %v; want 16 MiB", fi, err)
	}
	// git itself sees the index and the tree as clean, without refreshing.
	if got := gitRun(t, dst, "diff-files", "--name-only"); got != "" {
		t.Errorf("git diff-files lists %q; the index stat data does not match the files", got)
	}
	if got := gitRun(t, dst, "status", "--porcelain"); got != "" {
		t.Errorf("git status:\n%s", got)
	}
}

func TestCloneRefusesATreeThatWritesIntoGit(t *testing.T) {
	// A tree with a ".GIT" directory, built by hand with git mktree (git
	// itself never commits one): checking it out would write into .git.
	root := t.TempDir()
	bare := filepath.Join(root, "evil.git")
	gitRun(t, root, "init", "-q", "--bare", "-b", "main", bare)
	git := func(stdin string, args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = bare
		cmd.Env = gitEnv(t)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	blob := git("#!/bin/sh\necho owned\n", "hash-object", "-w", "--stdin")
	hooks := git("100755 blob "+blob+"\tpost-checkout\n", "mktree")
	dotgit := git("040000 tree "+hooks+"\thooks\n", "mktree")
	top := git("040000 tree "+dotgit+"\t.GIT\n100644 blob "+blob+"\treadme\n", "mktree")
	c := git("", "commit-tree", top, "-m", "evil")
	git("", "update-ref", "refs/heads/main", c)

	dst := filepath.Join(t.TempDir(), "evil")
	_, err := Clone(context.Background(), Options{URL: bare, Dir: dst, Depth: 1})
	var ce *Error
	if !errors.As(err, &ce) || ce.Kind != ErrCorrupt || !strings.Contains(ce.Msg, "into .git") {
		t.Fatalf("err = %v, want a refusal to write into .git", err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("destination left behind: %v", err)
	}
}

func TestValidTreePath(t *testing.T) {
	cases := []struct {
		path string
		ok   bool
	}{
		{"a/b.go", true}, {".github/workflows/ci.yml", true}, {"x.git/y", true},
		{"../x", false}, {"a/../../x", false}, {"a/./b", false}, {"a\\..\\..\\x", false},
		{".git/config", false}, {"sub/.GIT/hooks/x", false}, {"a/git~1/x", false},
		{"", false}, {"/", false},
		{"bell\x07", false}, {"del\x7f", false}, {"new\nline", false},
	}
	for _, tc := range cases {
		if err := validTreePath(tc.path); (err == nil) != tc.ok {
			t.Errorf("validTreePath(%q) = %v, want ok=%v", tc.path, err, tc.ok)
		}
	}
}

func TestIsDotGit(t *testing.T) {
	for name, want := range map[string]bool{
		".git": true, ".GIT": true, ".Git.": true, ".git ": true, "git~1": true, "GIT~1": true,
		".g\u200cit": true, ".git::$INDEX_ALLOCATION": true,
		".github": false, "git": false, ".gitignore": false, "x.git": false,
	} {
		if got := isDotGit(name); got != want {
			t.Errorf("isDotGit(%q) = %v, want %v", name, got, want)
		}
	}
}
