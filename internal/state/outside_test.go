package state

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestNothingIsWrittenOutsideTheCheckout plants, in a checkout, each kind
// of thing that could lead a write out of it, then makes every write
// sprintkit makes into a checkout; each must be refused with an
// *OutsideError that names the element, and the directory outside must
// stay empty.
func TestNothingIsWrittenOutsideTheCheckout(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("creating symlinks needs privileges on Windows")
	}
	writes := []struct {
		name  string
		write func(root string) error
	}{
		{"Ensure", func(root string) error { _, err := Ensure(root); return err }},
		{"WriteJSON of the baseline", func(root string) error { return WriteJSON(Path(root, BaselineFile), map[string]int{"a": 1}) }},
		{"OutputDir of the report", func(root string) error { _, err := OutputDir(root, ReportDir); return err }},
	}
	cases := []struct {
		name    string
		plant   func(t *testing.T, root, out string)
		element string // the element named
		writes  []string
	}{
		{".sprintkit a symlink to a directory beside the checkout",
			func(t *testing.T, root, out string) { mustSymlink(t, "../out", filepath.Join(root, DirName)) },
			".sprintkit in ", nil},
		{".sprintkit a regular file",
			func(t *testing.T, root, out string) { os.WriteFile(filepath.Join(root, DirName), nil, 0o644) },
			".sprintkit in ", nil},
		{".sprintkit/report a symlink out of a real .sprintkit",
			func(t *testing.T, root, out string) {
				os.Mkdir(filepath.Join(root, DirName), 0o755)
				mustSymlink(t, out, filepath.Join(root, DirName, ReportDir))
			},
			".sprintkit/report in ", []string{"OutputDir of the report"}},
		{".git/info a symlink out of the repository",
			func(t *testing.T, root, out string) {
				os.Mkdir(filepath.Join(root, ".git"), 0o755)
				mustSymlink(t, "../../out", filepath.Join(root, ".git", "info"))
			},
			".git/info in ", []string{"Ensure", "OutputDir of the report"}},
		{".git a symlink out of the checkout",
			func(t *testing.T, root, out string) { mustSymlink(t, "../out", filepath.Join(root, ".git")) },
			".git in ", []string{"Ensure", "OutputDir of the report"}},
		{".git/info/exclude a symlink",
			func(t *testing.T, root, out string) {
				os.MkdirAll(filepath.Join(root, ".git", "info"), 0o755)
				mustSymlink(t, "../../../out/exclude", filepath.Join(root, ".git", "info", "exclude"))
			},
			".git/info/exclude in ", []string{"Ensure", "OutputDir of the report"}},
	}
	for _, tc := range cases {
		for _, w := range writes {
			if tc.writes != nil && !contains(tc.writes, w.name) {
				continue
			}
			t.Run(tc.name+"/"+w.name, func(t *testing.T) {
				base := t.TempDir()
				root, out := filepath.Join(base, "checkout"), filepath.Join(base, "out")
				os.Mkdir(root, 0o755)
				os.Mkdir(out, 0o755)
				tc.plant(t, root, out)
				err := w.write(root)
				var oe *OutsideError
				if !errors.As(err, &oe) {
					t.Fatalf("error %v (%T), want an *OutsideError", err, err)
				}
				if !strings.Contains(err.Error(), tc.element+root) || !strings.HasSuffix(err.Error(), "sprintkit writes only inside the checkout") {
					t.Errorf("error %q does not name %s%s", err, tc.element, root)
				}
				if h := oe.Hint(); !strings.Contains(h, "remove "+root) {
					t.Errorf("hint %q does not say what to remove", h)
				}
				if entries, _ := os.ReadDir(out); len(entries) != 0 {
					t.Fatalf("%d entries written outside the checkout", len(entries))
				}
			})
		}
	}
}

func TestReadJSONDoesNotFollowALinkOutOfTheStateDirectory(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("creating symlinks needs privileges on Windows")
	}
	base := t.TempDir()
	root := filepath.Join(base, "checkout")
	os.MkdirAll(Dir(root), 0o755)
	os.WriteFile(filepath.Join(base, "secret.json"), []byte(`{"a":1}`), 0o644)
	mustSymlink(t, "../../secret.json", Path(root, BaselineFile))
	var v map[string]int
	err := ReadJSON(Path(root, BaselineFile), &v)
	var oe *OutsideError
	if !errors.As(err, &oe) || v != nil {
		t.Fatalf("ReadJSON read %v through a link (error %v)", v, err)
	}
}

func TestWriteFileOutsideAStateDirectoryStillWorks(t *testing.T) {
	// The image's own files are written with WriteFile too.
	name := filepath.Join(t.TempDir(), "image", "manifest.json")
	if err := WriteJSON(name, []int{1}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(name); err != nil || strings.TrimSpace(string(b)) != "[\n  1\n]" {
		t.Fatalf("got %q, %v", b, err)
	}
}

func mustSymlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestEnsureAndWriteFileCreateAMissingCheckout(t *testing.T) {
	root := filepath.Join(t.TempDir(), "new", "checkout")
	if err := WriteJSON(Path(root, ResultFile), map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	var v map[string]int
	if err := ReadJSON(Path(root, ResultFile), &v); err != nil || v["a"] != 1 {
		t.Fatalf("read back %v, %v", v, err)
	}
}
