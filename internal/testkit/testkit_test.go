package testkit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUnderCIReadsTheCIVariable(t *testing.T) {
	for _, c := range []struct {
		val  string
		want bool
	}{{"true", true}, {"1", true}, {"TRUE", true}, {"", false}, {"false", false}, {"0", false}} {
		t.Setenv("CI", c.val)
		if got := UnderCI(); got != c.want {
			t.Errorf("CI=%q: UnderCI() = %v, want %v", c.val, got, c.want)
		}
	}
}

func TestWriteTreeMakesDirectoriesAndFiles(t *testing.T) {
	root := t.TempDir()
	WriteTree(t, root, map[string]string{"a/b/c.txt": "hello", "top.go": "package top\n"})
	for name, want := range map[string]string{"a/b/c.txt": "hello", "top.go": "package top\n"} {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", name, b, err, want)
		}
	}
}
