//go:build linux

package copier

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTypeConflictsAreRefused: without Delete, no entry of the source
// replaces a non-empty directory of the destination (issue 13, item 1); the
// rest is copied and each refusal is a per-entry error naming the path.
func TestTypeConflictsAreRefused(t *testing.T) {
	base := tempDir(t)
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	writeFiles(t, base, map[string]string{
		"src/file-vs-dir":         "new",
		"src/hard-vs-dir":         "hard",
		"src/file-vs-empty-dir":   "replaces an empty directory",
		"src/dir-vs-file/f":       "replaces a file",
		"src/other.txt":           "copied",
		"dst/file-vs-dir/deep/a":  "precious",
		"dst/link-vs-dir/deep/b":  "precious",
		"dst/hard-vs-dir/c":       "precious",
		"dst/dir-vs-file":         "a file where the source has a directory",
		"dst/file-vs-empty-dir/x": "removed below, leaving the directory empty",
	})
	if err := os.Link(filepath.Join(src, "hard-vs-dir"), filepath.Join(src, "hard-twin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("other.txt", filepath.Join(src, "link-vs-dir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dst, "file-vs-empty-dir", "x")); err != nil {
		t.Fatal(err)
	}
	refused := []string{"file-vs-dir", "hard-vs-dir", "link-vs-dir"}
	for _, dry := range []bool{true, false} {
		var rec recorder
		st, err := Copy(context.Background(), src, dst, Options{DryRun: dry, OnEvent: rec.on})
		var fe *FileErrors
		if !errors.As(err, &fe) || fe.Count != 3 || st.Errors != 3 {
			t.Fatalf("dry run %v: err = %v (%d errors), want FileErrors for %v", dry, err, st.Errors, refused)
		}
		if got := rec.paths(EventError); !equal(got, refused) {
			t.Errorf("dry run %v: errors for %v, want %v", dry, got, refused)
		}
		for _, e := range fe.First {
			if !errors.Is(e, ErrTypeConflict) || !strings.Contains(e.Error(), "non-empty directory") || !strings.Contains(e.Error(), "delete") {
				t.Errorf("error %q does not say a non-empty directory is in the way and Delete replaces it", e)
			}
		}
	}
	for p, want := range map[string]string{"file-vs-dir/deep/a": "precious", "link-vs-dir/deep/b": "precious", "hard-vs-dir/c": "precious",
		"other.txt": "copied", "file-vs-empty-dir": "replaces an empty directory", "dir-vs-file/f": "replaces a file", "hard-twin": "hard"} {
		if b, err := os.ReadFile(filepath.Join(dst, p)); err != nil || string(b) != want {
			t.Errorf("%s: %q, %v; want %q", p, b, err, want)
		}
	}

	// With Delete, the directories make way.
	if _, err := Copy(context.Background(), src, dst, Options{Delete: true}); err != nil {
		t.Fatal(err)
	}
	compareTrees(t, src, dst)
}

// TestNamesLikeTemporariesAreUserFiles: a destination file named like a
// temporary is the user's and stays; a source file named so is copied
// (issue 13, item 5).
func TestNamesLikeTemporariesAreUserFiles(t *testing.T) {
	base := tempDir(t)
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	writeFiles(t, base, map[string]string{
		"src/.sprintkit.tmp-notes":                  "notes",
		"src/sub/.sprintkit.tmp-0123456789abcdef-1": "looks like one of ours",
		"dst/.sprintkit.tmp-mine":                   "mine",
		"dst/sub/.sprintkit.tmp-fedcba9876543210-2": "mine too",
	})
	if _, err := Copy(context.Background(), src, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{".sprintkit.tmp-notes": "notes", "sub/.sprintkit.tmp-0123456789abcdef-1": "looks like one of ours",
		".sprintkit.tmp-mine": "mine", "sub/.sprintkit.tmp-fedcba9876543210-2": "mine too"} {
		if b, err := os.ReadFile(filepath.Join(dst, p)); err != nil || string(b) != want {
			t.Errorf("%s: %q, %v; want %q", p, b, err, want)
		}
	}
	// Delete removes them like any entry the source lacks.
	if _, err := Copy(context.Background(), src, dst, Options{Delete: true}); err != nil {
		t.Fatal(err)
	}
	compareTrees(t, src, dst)
}

// TestFileChangedBeforeOpen: the file shrinks between the stat that sized
// it and the copy (issue 13, item 6: a torn file with the old mtime and no
// error). It is copied again, consistently.
func TestFileChangedBeforeOpen(t *testing.T) {
	base := tempDir(t)
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	writeFiles(t, base, map[string]string{"src/a.txt": "a", "src/grows.txt": strings.Repeat("x", 100000)})
	if err := os.Chtimes(filepath.Join(src, "grows.txt"), fixedTime, fixedTime); err != nil {
		t.Fatal(err)
	}
	calls := 0
	testHookBeforeOpen = func(rel string) {
		if rel == "grows.txt" && calls == 0 {
			calls++
			if err := os.Truncate(filepath.Join(src, rel), 1000); err != nil {
				t.Error(err)
			}
		}
	}
	defer func() { testHookBeforeOpen = nil }()
	if _, err := Copy(context.Background(), src, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	compareTrees(t, src, dst)
	noTemporaries(t, dst)
}

// TestFileChangedDuringCopy: a file that changes while its content is copied
// (issue 13, item 6: a 300 MB file truncated mid-copy gave a 25 MB file with
// the old mtime and no error) is copied again; if it changes again, the
// entry is an error and the destination keeps what it had.
func TestFileChangedDuringCopy(t *testing.T) {
	for _, named := range []bool{false, true} {
		name := "unnamed temporaries"
		if named {
			name = "named temporaries"
		}
		t.Run(name, func(t *testing.T) {
			testForceTempNames = named
			defer func() { testForceTempNames = false }()
			base := tempDir(t)
			src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
			big := strings.Repeat("0123456789", 300000)
			writeFiles(t, base, map[string]string{"src/once.bin": big, "src/always.bin": big, "src/calm.txt": "calm", "dst/always.bin": "the user's version"})
			for _, p := range []string{"src/once.bin", "src/always.bin"} {
				if err := os.Chtimes(filepath.Join(base, p), fixedTime, fixedTime); err != nil {
					t.Fatal(err)
				}
			}
			n := map[string]int{}
			testHookAfterData = func(rel string) {
				n[rel]++
				if rel == "always.bin" || rel == "once.bin" && n[rel] == 1 {
					// Truncated mid-copy, as by a program rewriting it.
					if err := os.Truncate(filepath.Join(src, rel), int64(25000+n[rel])); err != nil {
						t.Error(err)
					}
				}
			}
			defer func() { testHookAfterData = nil }()
			var rec recorder
			st, err := Copy(context.Background(), src, dst, Options{Workers: 1, OnEvent: rec.on})
			var fe *FileErrors
			if !errors.As(err, &fe) || fe.Count != 1 || st.Errors != 1 {
				t.Fatalf("err = %v, want one error, for always.bin", err)
			}
			msg := fe.First[0].Error()
			if !errors.Is(fe.First[0], ErrChanged) || !strings.HasPrefix(msg, "always.bin: ") || !strings.Contains(msg, "changed during the copy") {
				t.Errorf("error %q does not name always.bin as changed during the copy", msg)
			}
			if got := rec.paths(EventCopied); !contains(got, "once.bin") || !contains(got, "calm.txt") || contains(got, "always.bin") {
				t.Errorf("copied %v, want once.bin and calm.txt, not always.bin", got)
			}
			if n["once.bin"] != 2 || n["always.bin"] != 2 {
				t.Errorf("copied once.bin %d times and always.bin %d times, want each twice", n["once.bin"], n["always.bin"])
			}
			if b, _ := os.ReadFile(filepath.Join(dst, "always.bin")); string(b) != "the user's version" {
				t.Errorf("always.bin in the destination is %d bytes, want the user's version untouched", len(b))
			}
			noTemporaries(t, dst)
			// once.bin is its new state, byte for byte, with its new mtime.
			se, de := scan(t, src)["once.bin"], scan(t, dst)["once.bin"]
			if len(se.data) != 25001 || string(se.data) != string(de.data) || se.mtime != de.mtime {
				t.Errorf("once.bin: %d bytes mtime %d in the copy, want %d bytes mtime %d", len(de.data), de.mtime, len(se.data), se.mtime)
			}

			// Once the file is left alone, a re-run copies it.
			testHookAfterData = nil
			if _, err := Copy(context.Background(), src, dst, Options{}); err != nil {
				t.Fatal(err)
			}
			compareTrees(t, src, dst)
		})
	}
}
