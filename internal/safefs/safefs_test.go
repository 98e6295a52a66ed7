package safefs

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// tree builds a checkout-like root and, beside it, an "out" directory that
// links may point at; it returns both.
func tree(t *testing.T) (root, out string) {
	t.Helper()
	base := t.TempDir()
	root, out = filepath.Join(base, "checkout"), filepath.Join(base, "out")
	for _, d := range []string{root, out} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root, out
}

func symlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		if runtime.GOOS == "windows" {
			t.Skipf("symlinks need privileges here: %v", err)
		}
		t.Fatal(err)
	}
}

func mustEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("%s was written to: %v", dir, names)
	}
}

func TestMkdirAllRefusesEverythingThatLeavesTheRoot(t *testing.T) {
	testMkdirAll(t)
}

func testMkdirAll(t *testing.T) {
	cases := []struct {
		name     string
		prepare  func(t *testing.T, root, out string)
		rel      string
		wantPath string // the element named by the *Error; "" for another error
		wantKind string
	}{
		{"a .sprintkit that is a symlink to a directory outside is refused and its target named",
			func(t *testing.T, root, out string) { symlink(t, "../out", filepath.Join(root, ".sprintkit")) },
			".sprintkit/report", ".sprintkit", "symlink"},
		{"a symlinked subdirectory of a real .sprintkit is refused",
			func(t *testing.T, root, out string) {
				os.Mkdir(filepath.Join(root, ".sprintkit"), 0o755)
				symlink(t, out, filepath.Join(root, ".sprintkit", "report"))
			},
			".sprintkit/report/assets", ".sprintkit/report", "symlink"},
		{"a symlink to a directory inside the root is refused all the same",
			func(t *testing.T, root, out string) {
				os.Mkdir(filepath.Join(root, "real"), 0o755)
				symlink(t, "real", filepath.Join(root, ".sprintkit"))
			},
			".sprintkit", ".sprintkit", "symlink"},
		{"a .sprintkit that is a regular file is refused",
			func(t *testing.T, root, out string) {
				os.WriteFile(filepath.Join(root, ".sprintkit"), []byte("x"), 0o644)
			},
			".sprintkit/report", ".sprintkit", "file"},
		{"a .git/info symlink is refused",
			func(t *testing.T, root, out string) {
				os.Mkdir(filepath.Join(root, ".git"), 0o755)
				symlink(t, "../../out", filepath.Join(root, ".git", "info"))
			},
			".git/info", ".git/info", "symlink"},
		{"a path with a .. element is refused before anything is created",
			func(t *testing.T, root, out string) {}, ".sprintkit/../../out/x", "", ""},
		{"a path that climbs straight out is refused",
			func(t *testing.T, root, out string) {}, "../out", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root, out := tree(t)
			tc.prepare(t, root, out)
			d, err := MkdirAll(root, tc.rel, 0o755)
			if err == nil {
				d.Close()
				t.Fatalf("MkdirAll(%q) succeeded", tc.rel)
			}
			var fe *Error
			switch {
			case tc.wantPath == "" && errors.As(err, &fe):
				t.Fatalf("error %v, want a refusal of the path itself", err)
			case tc.wantPath == "" && !strings.Contains(err.Error(), tc.rel):
				t.Fatalf("error %q does not name %q", err, tc.rel)
			case tc.wantPath != "" && !errors.As(err, &fe):
				t.Fatalf("error %v (%T), want a *safefs.Error", err, err)
			case tc.wantPath != "" && (fe.Path != tc.wantPath || fe.Kind != tc.wantKind):
				t.Fatalf("refused %s (%s), want %s (%s)", fe.Path, fe.Kind, tc.wantPath, tc.wantKind)
			}
			if fe != nil && !strings.Contains(err.Error(), tc.wantPath+" in "+root) {
				t.Errorf("error %q does not say which element of which root", err)
			}
			mustEmpty(t, out)
		})
	}
}

func TestMkdirAllCreatesAndReopens(t *testing.T) {
	root, _ := tree(t)
	for range 2 {
		d, err := MkdirAll(root, ".sprintkit/report", 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(root, ".sprintkit", "report"); d.Path() != want {
			t.Fatalf("Path() = %s, want %s", d.Path(), want)
		}
		d.Close()
		if fi, err := os.Lstat(filepath.Join(root, ".sprintkit", "report")); err != nil || !fi.IsDir() {
			t.Fatalf("the directory was not created: %v", err)
		}
	}
	if _, err := Open(root, ".sprintkit/missing"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open of a missing directory: %v, want not-exist", err)
	}
}

func TestWriteFileAtomicReplacesALinkWithoutFollowingIt(t *testing.T) {
	root, out := tree(t)
	victim := filepath.Join(out, "victim")
	os.WriteFile(victim, []byte("precious"), 0o644)
	os.Mkdir(filepath.Join(root, ".sprintkit"), 0o755)
	symlink(t, victim, filepath.Join(root, ".sprintkit", "baseline.json"))
	d, err := MkdirAll(root, ".sprintkit", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	// Opening the link for reading or appending is refused.
	if _, err := d.OpenFile("baseline.json", os.O_RDONLY, 0); err == nil {
		t.Fatal("OpenFile followed a symlink")
	} else if fe := (*Error)(nil); !errors.As(err, &fe) || fe.Kind != "symlink" || fe.Path != ".sprintkit/baseline.json" {
		t.Fatalf("OpenFile of a symlink: %v, want a *safefs.Error naming it", err)
	}
	// An atomic write replaces the link itself.
	if err := d.WriteFileAtomic("baseline.json", 0o644, func(w io.Writer) error {
		_, err := io.WriteString(w, "{}\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Fatalf("the link's target was written: %q", b)
	}
	fi, err := os.Lstat(filepath.Join(root, ".sprintkit", "baseline.json"))
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 {
		t.Fatalf("baseline.json is %v (%v), want a regular 0644 file", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Join(root, ".sprintkit"))
	if len(entries) != 1 {
		t.Fatalf("temporaries left behind: %v", entries)
	}
}

func TestWriteFileAtomicLeavesTheOldFileOnError(t *testing.T) {
	root, _ := tree(t)
	d, err := MkdirAll(root, "s", 0o755)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	name := filepath.Join(root, "s", "f")
	os.WriteFile(name, []byte("old"), 0o644)
	boom := errors.New("boom")
	err = d.WriteFileAtomic("f", 0o644, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), name) {
		t.Fatalf("error %v, want boom naming %s", err, name)
	}
	if b, _ := os.ReadFile(name); string(b) != "old" {
		t.Fatalf("the old file became %q", b)
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "s")); len(entries) != 1 {
		t.Fatalf("the temporary was left behind: %v", entries)
	}
}
