package watcher

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/ignore"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// ignoreCases are checked against the matcher and, when git is installed,
// against `git check-ignore` on the same files, so the expectations are
// git's own.
var ignoreFiles = map[string]string{
	".gitignore": strings.Join([]string{
		"# a comment",
		"*.log",
		"!keep.log",
		"/root-only.txt",
		"build/",
		"docs/*.html",
		"**/cache",
		"deep/**/z.txt",
		"vendor/**",
		`\#hash.txt`,
		"trailing.txt   ",
		"[ab]?.tmp",
		"[!c]x.dat",
	}, "\n"),
	"sub/.gitignore": "!again.log\nlocal.txt\n/anchored.txt\n",
}

var ignoreCases = []struct {
	name  string
	path  string
	isDir bool
	want  bool
}{
	{"a pattern without a slash matches at any depth", "a/b/x.log", false, true},
	{"a negation re-includes a name", "keep.log", false, false},
	{"a leading slash anchors to the file's directory", "root-only.txt", false, true},
	{"an anchored pattern does not match deeper", "sub/root-only.txt", false, false},
	{"a trailing slash matches a directory", "x/build", true, true},
	{"a trailing slash does not match a file", "y/build", false, false},
	{"a middle slash anchors and star stops at a slash", "docs/a.html", false, true},
	{"star does not cross a directory", "docs/api/a.html", false, false},
	{"a leading double star matches at any depth", "a/b/cache", true, true},
	{"a middle double star matches zero directories", "deep/z.txt", false, true},
	{"a middle double star matches several directories", "deep/a/b/z.txt", false, true},
	{"a trailing double star matches what is inside", "vendor/x/y.go", false, true},
	{"a trailing double star does not match the directory itself", "vendor", true, false},
	{"an escaped hash is a name", "#hash.txt", false, true},
	{"trailing spaces are dropped", "trailing.txt", false, true},
	{"a class and a question mark match one character each", "a1.tmp", false, true},
	{"a class that does not match leaves the name alone", "c1.tmp", false, false},
	{"a negated class excludes its characters", "cx.dat", false, false},
	{"a negated class matches other characters", "dx.dat", false, true},
	{"a deeper file's negation wins over a shallower pattern", "sub/again.log", false, false},
	{"a deeper file's pattern applies below it", "sub/x/local.txt", false, true},
	{"a deeper file's anchored pattern is relative to its directory", "sub/anchored.txt", false, true},
	{"a deeper anchored pattern does not match further down", "sub/x/anchored.txt", false, false},
	{"an unmatched name is kept", "main.go", false, false},
}

func TestIgnoreRulesFollowGit(t *testing.T) {
	ig := ignorer{}
	for file, data := range ignoreFiles {
		ig[path.Dir(file)] = ignore.ParseFile([]byte(data))
	}
	for _, tt := range ignoreCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := ig.ignored(tt.path, tt.isDir); got != tt.want {
				t.Errorf("ignored(%q, dir=%v) = %v, want %v", tt.path, tt.isDir, got, tt.want)
			}
		})
	}
}

func TestIgnoreCasesAgreeWithGitCheckIgnore(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		testkit.Missing(t, "git not installed")
	}
	dir := t.TempDir()
	if out, err := exec.Command(git, "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	for file, data := range ignoreFiles {
		write(t, dir, file, data)
	}
	for _, tt := range ignoreCases {
		p := filepath.Join(dir, filepath.FromSlash(tt.path))
		if tt.isDir {
			must(t, os.MkdirAll(p, 0o755))
		} else {
			write(t, dir, tt.path, "x")
		}
		// --no-index: judge the path by the patterns alone.
		cmd := exec.Command(git, "check-ignore", "-q", "--no-index", tt.path)
		cmd.Dir = dir
		err := cmd.Run()
		gitSays := err == nil
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
			t.Fatalf("git check-ignore %s: %v", tt.path, err)
		}
		if gitSays != tt.want {
			t.Errorf("%s: git check-ignore says ignored=%v, the case says %v", tt.name, gitSays, tt.want)
		}
	}
}
