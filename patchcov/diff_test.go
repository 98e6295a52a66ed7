package patchcov

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/hint"
)

func TestParseUnified(t *testing.T) {
	tests := []struct {
		name string
		diff string
		want map[string][]int // path → added lines ("" for a deleted file's entry)
	}{
		{
			name: "hunk headers give the new line numbers of the added lines",
			diff: "diff --git a/a.go b/a.go\nindex 1..2 100644\n--- a/a.go\n+++ b/a.go\n@@ -3 +3 @@ func f() {\n-\tx := 1\n+\tx := 2\n@@ -10,0 +11,2 @@\n+\ty := 3\n+\treturn y\n",
			want: map[string][]int{"a.go": {3, 11, 12}},
		},
		{
			name: "a deleted file has no new path",
			diff: "diff --git a/gone.go b/gone.go\ndeleted file mode 100644\n--- a/gone.go\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-package p\n-var X = 1\n",
			want: map[string][]int{"": nil},
		},
		{
			name: "a quoted path with a tab is unquoted",
			diff: "diff --git \"a/t\\tab.go\" \"b/t\\tab.go\"\nnew file mode 100644\n--- /dev/null\n+++ \"b/t\\tab.go\"\n@@ -0,0 +1 @@\n+package p\n",
			want: map[string][]int{"t\tab.go": {1}},
		},
		{
			name: "lines that look like headers inside a hunk are content",
			diff: "diff --git a/x.txt b/x.txt\n--- a/x.txt\n+++ b/x.txt\n@@ -1 +1,2 @@\n---- old\n+++ new\n+b\n\\ No newline at end of file\n",
			want: map[string][]int{"x.txt": {1, 2}},
		},
		{
			name: "a binary file adds nothing",
			diff: "diff --git a/img.png b/img.png\nindex 1..2 100644\nBinary files a/img.png and b/img.png differ\n",
			want: map[string][]int{"": nil}, // no "+++" line: no path, no lines
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := parseUnified(strings.NewReader(tt.diff))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]int{}
			for _, f := range fs {
				var ls []int
				for _, l := range f.added {
					ls = append(ls, l.n)
				}
				got[f.path] = ls
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReduce(t *testing.T) {
	tests := []struct {
		name string
		fs   []fileDiff
		want map[string][]int
	}{
		{
			name: "a line whose text was removed elsewhere is moved, not new, even re-indented",
			fs: []fileDiff{
				{path: "a.go", removed: []string{"\treturn x"}},
				{path: "b.go", added: []line{{1, "func g() {"}, {2, "\t\treturn x"}}},
			},
			want: map[string][]int{"b.go": {1}},
		},
		{
			name: "each removed line cancels one added line only",
			fs: []fileDiff{
				{path: "a.go", removed: []string{"x++"}, added: []line{{4, "x++"}, {9, "x++"}}},
			},
			want: map[string][]int{"a.go": {9}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reduce("HEAD", tt.fs).Files; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDiffErrors(t *testing.T) {
	repo, _ := setUp(t)
	plain := t.TempDir()
	tests := []struct {
		name, dir, ref, want string
	}{
		{"a directory outside git says so", plain, "HEAD", "is not in a git repository"},
		{"an unknown ref says it is not a commit", repo, "nosuch", "diff against nosuch: not a commit"},
	}
	for _, tt := range tests {
		for _, b := range []Backend{GitCLI, GoGit} {
			t.Run(tt.name+" with "+string(b), func(t *testing.T) {
				_, err := Diff(context.Background(), tt.dir, tt.ref, b)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
				if hint.Of(err) == "" {
					t.Errorf("no hint on %v", err)
				}
			})
		}
	}
}

// A module in a subdirectory of the repository: paths are relative to it
// and changes outside it do not count, with either backend.
func TestDiffSubdirectory(t *testing.T) {
	repo, base := setUp(t)
	write(t, repo, "other/x.go", "package other\n\nvar X = 1\n")
	sub := filepath.Join(repo, "calc")
	for _, b := range []Backend{GitCLI, GoGit} {
		t.Run("paths are relative to the module with "+string(b), func(t *testing.T) {
			ch, err := Diff(context.Background(), sub, base, b)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := ch.Files["div.go"]; !ok {
				t.Errorf("div.go missing: %v", ch.Files)
			}
			for p := range ch.Files {
				if strings.Contains(p, "/") || strings.HasPrefix(p, "..") {
					t.Errorf("path %q is not relative to calc/", p)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(repo, "other/x.go")); err != nil {
		t.Fatal(err)
	}
}
