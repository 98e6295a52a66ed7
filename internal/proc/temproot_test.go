package proc

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestTempRoot makes the temporary root under a fresh TMPDIR, fills it as a
// child would (a go-build-like directory, a read-only one as the module
// cache makes), and checks that Remove leaves TMPDIR (and a GOTMPDIR the
// user set) as empty as they were.
func TestTempRoot(t *testing.T) {
	tests := []struct {
		name    string
		gotmp   bool
		wantGot string // "root": GOTMPDIR is the root; "user": a fresh directory inside the user's
	}{
		{"without a GOTMPDIR the go command's directories go to the root", false, "root"},
		{"a GOTMPDIR the user set keeps them, in a fresh directory of sprintkit's", true, "user"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmp, user := t.TempDir(), t.TempDir()
			t.Setenv("TMPDIR", tmp)
			t.Setenv("TMP", tmp)
			t.Setenv("TEMP", tmp)
			t.Setenv("GOTMPDIR", "")
			if tc.gotmp {
				t.Setenv("GOTMPDIR", user)
			}
			r, err := NewTempRoot()
			if err != nil {
				t.Fatal(err)
			}
			root := os.Getenv("TMPDIR")
			if filepath.Dir(root) != filepath.Clean(tmp) || root == tmp {
				t.Fatalf("TMPDIR = %s, want a fresh directory in %s", root, tmp)
			}
			// /tmp's rules: sticky and writable by all (a helper run
			// as nobody makes its own directories there).
			if fi, err := os.Stat(root); err != nil || runtime.GOOS != "windows" && fi.Mode()&(os.ModePerm|os.ModeSticky) != 0o777|os.ModeSticky {
				t.Errorf("TMPDIR %s: %v, mode %v; want sticky 0777", root, err, fi.Mode())
			}
			gotmp := os.Getenv("GOTMPDIR")
			switch tc.wantGot {
			case "root":
				if gotmp != root {
					t.Fatalf("GOTMPDIR = %s, want %s", gotmp, root)
				}
			case "user":
				if filepath.Dir(gotmp) != filepath.Clean(user) || !strings.Contains(filepath.Base(gotmp), "sprintkit-run-") {
					t.Fatalf("GOTMPDIR = %s, want a fresh directory in %s", gotmp, user)
				}
			}
			for _, d := range []string{root, gotmp} {
				ro := filepath.Join(d, "go-build123", "mod")
				if err := os.MkdirAll(ro, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(ro, "a.go"), []byte("package a"), 0o444); err != nil {
					t.Fatal(err)
				}
				os.Chmod(ro, 0o555)
			}
			if err := r.Remove(); err != nil {
				t.Fatal(err)
			}
			for _, d := range []string{tmp, user} {
				if left, _ := os.ReadDir(d); len(left) != 0 {
					t.Errorf("%s still holds %v", d, left)
				}
			}
		})
	}
}
