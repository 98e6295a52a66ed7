package image

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/state"
)

// handImage writes a small image by hand into dir/img and returns it: a Go
// project in repo/ (with a symlink docs/latest -> v2) that imports one
// module, example.com/dep, which the module tree holds as the module cache
// does (with its .ziphash), with its go.sum lines; a build cache of two
// entries; and a manifest made by Scan.
func handImage(t *testing.T, dir string) string {
	t.Helper()
	img := filepath.Join(dir, "img")
	sum := writeProxyModule(t, filepath.Join(img, filepath.FromSlash(ProxyDir)), "example.com/dep", "v1.0.0", map[string]string{"dep.go": "package dep\n\nconst V = 1\n"})
	writeTree(t, img, map[string]string{
		"repo/go.mod":           "module example.com/hand\n\ngo 1.21\n\nrequire example.com/dep v1.0.0\n",
		"repo/go.sum":           sum,
		"repo/hand.go":          "package hand\n\nimport \"example.com/dep\"\n\nfunc F() int { return dep.V }\n",
		"repo/hand_test.go":     "package hand\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) { F() }\n",
		"repo/docs/v2/index.md": "# v2\n",
		ProxyDir + "/example.com/dep/@v/v1.0.0.ziphash": strings.Fields(sum)[2],
		BuildCacheDir + "/ab/ab12-a":                    "v1 ab12 cd34 8 0\n",
		BuildCacheDir + "/cd/cd34-d":                    "compiled",
		ReadmeFile:                                      "read me\n",
	})
	if err := os.Symlink("v2", filepath.Join(img, "repo/docs/latest")); err != nil {
		t.Skipf("symlinks: %v", err)
	}
	writeManifest(t, img)
	return img
}

// writeManifest (re)writes img's manifest from what is there now.
func writeManifest(t *testing.T, img string) {
	t.Helper()
	writeManifestWith(t, img, nil)
}

// writeManifestWith (re)writes img's manifest from what is there now, as
// someone who edits an image's files would, with bc as its build_cache.
func writeManifestWith(t *testing.T, img string, bc *BuildCacheInfo) {
	t.Helper()
	files, _, err := Scan(context.Background(), img, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Format: Format, Version: ManifestVersion, Project: "example.com/hand", Go: "1.21", Modules: []string{"example.com/dep@v1.0.0"}, BuildCache: bc}
	m.SetEntries(files)
	if err := state.WriteJSON(filepath.Join(img, ManifestFile), m); err != nil {
		t.Fatal(err)
	}
}

// userEnv is a newcomer's environment with their own module cache and no
// network.
func userEnv(modcache string) []string {
	env := os.Environ()
	for k, v := range map[string]string{"GOMODCACHE": modcache, "GOPROXY": "off", "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GONOSUMDB": "", "GOWORK": "off"} {
		env = setEnv(env, k, v)
	}
	return withCacheHome(env, filepath.Dir(modcache))
}

// snapshot records every entry under dir: type, and content or target.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "symlink " + target
		case d.IsDir():
			out[rel] = "dir"
		default:
			b, _ := os.ReadFile(p)
			out[rel] = "file " + string(b)
		}
		return nil
	})
	return out
}

func sameSnapshot(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %s was %q, now %q", what, k, v, after[k])
		}
	}
	for k, v := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s: %s (%q) was written", what, k, v)
		}
	}
}

// The user's own module cache holds a tree the tampered image
// would have deleted.
func userCache(t *testing.T, dir string) string {
	t.Helper()
	mc := filepath.Join(dir, "gomodcache")
	writeTree(t, mc, map[string]string{
		"cache/download/github.com/user/own/@v/v0.1.0.mod": "module github.com/user/own\n",
		"github.com/user/own@v0.1.0/own.go":                "package own\n",
	})
	return mc
}

// TestSetupRefusesATamperedImageBeforeWritingAnything tampers with a good
// image in each way an image can differ from its manifest, and sets up
// from it: every refusal is a *VerifyError naming the path, and neither
// --dir nor the user's module cache is written.
func TestSetupRefusesATamperedImageBeforeWritingAnything(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	rm := func(t *testing.T, p string) {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	write := func(t *testing.T, p, content string) {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(t *testing.T, target, p string) {
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		tamper func(t *testing.T, img string)
		rescan bool // the manifest is made again after tampering
		path   string
		kind   string
	}{
		{"a file of the repository changed in place", func(t *testing.T, img string) {
			write(t, filepath.Join(img, "repo/hand.go"), "package hand\n\nimport \"example.com/dep\"\n\nfunc F() int { return dep.W }\n")
		}, false, "repo/hand.go", "checksum"},
		{"a build cache entry changed in place", func(t *testing.T, img string) {
			write(t, filepath.Join(img, BuildCacheDir, "cd/cd34-d"), "COMPILED")
		}, false, BuildCacheDir + "/cd/cd34-d", "checksum"},
		{"an extra build cache entry, which go would trust", func(t *testing.T, img string) {
			write(t, filepath.Join(img, BuildCacheDir, "ef/ef56-d"), "evil")
		}, false, BuildCacheDir + "/ef", "extra"},
		{"a .DS_Store in the build cache, which setup would copy", func(t *testing.T, img string) {
			write(t, filepath.Join(img, BuildCacheDir, ".DS_Store"), "finder")
		}, false, BuildCacheDir + "/.DS_Store", "extra"},
		{"a file missing from the repository", func(t *testing.T, img string) {
			rm(t, filepath.Join(img, "repo/hand_test.go"))
		}, false, "repo/hand_test.go", "missing"},
		{"an extra test file in the repository, which the baseline would run", func(t *testing.T, img string) {
			write(t, filepath.Join(img, "repo/zz_extra_test.go"), "package hand\n")
		}, false, "repo/zz_extra_test.go", "extra"},
		{"an extra directory, named once and not file by file", func(t *testing.T, img string) {
			write(t, filepath.Join(img, "repo/extra/a.go"), "package extra\n")
			write(t, filepath.Join(img, "repo/extra/b.go"), "package extra\n")
		}, false, "repo/extra", "extra"},
		{"a symlink swapped for a file", func(t *testing.T, img string) {
			rm(t, filepath.Join(img, "repo/docs/latest"))
			write(t, filepath.Join(img, "repo/docs/latest"), "v2")
		}, false, "repo/docs/latest", "type"},
		{"a file swapped for a symlink", func(t *testing.T, img string) {
			rm(t, filepath.Join(img, "repo/hand.go"))
			link(t, "hand_test.go", filepath.Join(img, "repo/hand.go"))
		}, false, "repo/hand.go", "type"},
		{"a symlink retargeted out of the image", func(t *testing.T, img string) {
			rm(t, filepath.Join(img, "repo/docs/latest"))
			link(t, "../../../../../../../etc", filepath.Join(img, "repo/docs/latest"))
		}, false, "repo/docs/latest", "target"},
		{"a symlink out of the repository that the manifest lists too", func(t *testing.T, img string) {
			rm(t, filepath.Join(img, "repo/docs/latest"))
			link(t, "../../README.txt", filepath.Join(img, "repo/docs/latest"))
		}, true, "repo/docs/latest", "outside"},
		{"a symlink that leaves the repository through another symlink", func(t *testing.T, img string) {
			link(t, "..", filepath.Join(img, "repo/docs/up"))
			link(t, "docs/up/../README.txt", filepath.Join(img, "repo/sneaky"))
		}, true, "repo/sneaky", "outside"},
		{"an extra file in the module tree where the user's cache has a directory", func(t *testing.T, img string) {
			write(t, filepath.Join(img, ProxyDir, "github.com"), "boom")
		}, false, ProxyDir + "/github.com", "extra"},
		{"a module file changed", func(t *testing.T, img string) {
			zip := filepath.Join(img, ProxyDir, "example.com/dep/@v/v1.0.0.zip")
			b, err := os.ReadFile(zip)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x20
			write(t, zip, string(b))
		}, false, ProxyDir + "/example.com/dep/@v/v1.0.0.zip", "checksum"},
		{"a repository holding a .sprintkit", func(t *testing.T, img string) {
			link(t, "docs", filepath.Join(img, "repo/.sprintkit"))
		}, true, "repo/.sprintkit", "state"},
	}
	// Browsing the stick leaves OS files beside repo/: harmless, as setup
	// copies nothing from there; inside repo/ they would be copied.
	osFiles := func(t *testing.T, img string) {
		write(t, filepath.Join(img, ".DS_Store"), "finder")
		write(t, filepath.Join(img, "._README.txt"), "resource fork")
		write(t, filepath.Join(img, "repo/.DS_Store"), "finder")
	}
	cases = append(cases, struct {
		name   string
		tamper func(t *testing.T, img string)
		rescan bool
		path   string
		kind   string
	}{"a .DS_Store in the repository, though those beside it are let be", osFiles, false, "repo/.DS_Store", "extra"})
	if runtime.GOOS != "windows" {
		cases = append(cases, struct {
			name   string
			tamper func(t *testing.T, img string)
			rescan bool
			path   string
			kind   string
		}{"a file made executable", func(t *testing.T, img string) {
			os.Chmod(filepath.Join(img, "repo/hand_test.go"), 0o755)
		}, false, "repo/hand_test.go", "mode"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			img := handImage(t, dir)
			mc := userCache(t, dir)
			tc.tamper(t, img)
			if tc.rescan {
				writeManifest(t, img)
			}
			before := snapshot(t, mc)
			dest := filepath.Join(dir, "checkout")
			_, err := SetupFromImage(context.Background(), SetupOptions{Image: img, Dir: dest, Env: userEnv(mc)})
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("setup returned %v, want a *VerifyError", err)
			}
			found := false
			for _, p := range ve.Problems {
				found = found || p.Path == tc.path && p.Kind == tc.kind
			}
			if len(ve.Problems) != 1 {
				t.Errorf("%d differences, want only %s: %v", len(ve.Problems), tc.path, err)
			}
			if !found || !strings.Contains(err.Error(), tc.path) {
				t.Fatalf("the refusal does not name %s (%s):\n%v", tc.path, tc.kind, err)
			}
			if _, err := os.Lstat(dest); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("--dir %s was created (%v)", dest, err)
			}
			sameSnapshot(t, "GOMODCACHE", before, snapshot(t, mc))
		})
	}
}

func TestSetupRefusesAVersion1Image(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := t.TempDir()
	img := handImage(t, dir)
	var m Manifest
	state.ReadJSON(filepath.Join(img, ManifestFile), &m)
	m.Version = 1
	var files []FileEntry
	for _, f := range m.Files {
		if f.Type == TypeFile {
			f.Type, f.Mode = "", ""
			files = append(files, f)
		}
	}
	m.Files = files
	state.WriteJSON(filepath.Join(img, ManifestFile), m)
	dest := filepath.Join(dir, "checkout")
	_, err := SetupFromImage(context.Background(), SetupOptions{Image: img, Dir: dest, Env: userEnv(userCache(t, dir))})
	var oe *OldManifestError
	if !errors.As(err, &oe) || oe.Version != 1 || !strings.Contains(oe.Hint(), "stage the image again") {
		t.Fatalf("setup from a version 1 image: %v, want an *OldManifestError", err)
	}
	if _, err := os.Lstat(dest); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("--dir %s was created (%v)", dest, err)
	}
}

// TestSetupAddsModulesWithoutDeletingOrReplacingAny plans and seeds a
// module cache that already has some of the image's entries (with the same
// and with other content) and entries the image lacks: nothing there is
// deleted or replaced. Setup itself seeds the checkout's own cache and
// leaves the user's untouched.
func TestSetupAddsModulesWithoutDeletingOrReplacingAny(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dl := "cache/download/example.com/dep/@v/"
	cases := []struct {
		name     string
		user     map[string]string // extra entries of the cache; "/" suffix: a directory
		conflict string            // the path the refusal names; "" when seeding succeeds
	}{
		{"entries the image also has, with the same content, are kept and the rest added", map[string]string{
			dl + "v1.0.0.mod":  "module example.com/dep\n\ngo 1.21\n",
			dl + "list":        "v0.9.0\nv1.0.0\n", // go's own index: the cache's is kept
			dl + "v1.0.0.info": `{"Version":"v1.0.0","Origin":{"VCS":"git"}}`,
		}, ""},
		{"a file with other content is an error naming it, and nothing is added", map[string]string{
			dl + "v1.0.0.mod": "module example.com/dep\n\ngo 1.21\n",
			dl + "v1.0.0.zip": "the user's zip",
		}, dl + "v1.0.0.zip"},
		{"a directory where the image has a file is an error, not a replacement", map[string]string{
			dl + "v1.0.0.zip/keep": "the user's",
		}, dl + "v1.0.0.zip"},
		{"a file where the image has a directory is an error, not a replacement", map[string]string{
			"cache/download/example.com/dep/@v": "a file",
		}, "cache/download/example.com/dep/@v"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			img := handImage(t, dir)
			mc := userCache(t, dir)
			writeTree(t, mc, tc.user)
			before := snapshot(t, mc)
			m, err := ReadManifest(img)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := PlanModCache(img, m, mc)
			if tc.conflict != "" {
				var me *ModCacheError
				if !errors.As(err, &me) || !strings.Contains(err.Error(), filepath.Join(mc, filepath.FromSlash(tc.conflict))) {
					t.Fatalf("plan returned %v, want a *ModCacheError naming %s", err, tc.conflict)
				}
				sameSnapshot(t, "GOMODCACHE", before, snapshot(t, mc))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			st, err := plan.Seed(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			after := snapshot(t, mc)
			// Nothing the cache had was deleted or changed...
			for k, v := range before {
				if after[k] != v {
					t.Errorf("the cache's %s was %q, now %q", k, v, after[k])
				}
			}
			// ...and what it lacked was added with the image's content.
			for _, name := range []string{"v1.0.0.zip", "v1.0.0.ziphash"} {
				want, _ := os.ReadFile(filepath.Join(img, ProxyDir, "example.com/dep/@v", name))
				if got := after[filepath.FromSlash(dl+name)]; got != "file "+string(want) {
					t.Errorf("%s in the cache is %q, want the image's %q", name, got, want)
				}
			}
			if st.Files != 2 || plan.Modules() != 1 {
				t.Errorf("%d module files copied of %d modules, want 2 (the zip and its hash) of 1", st.Files, plan.Modules())
			}
		})
	}
	t.Run("setup seeds the checkout's own cache and leaves the user's as it was", func(t *testing.T) {
		dir := t.TempDir()
		img := handImage(t, dir)
		mc := userCache(t, dir)
		before := snapshot(t, mc)
		dest := filepath.Join(dir, "checkout")
		res, err := SetupFromImage(context.Background(), SetupOptions{Image: img, Dir: dest, Env: userEnv(mc)})
		if err != nil {
			t.Fatal(err)
		}
		sameSnapshot(t, "GOMODCACHE", before, snapshot(t, mc))
		if want := filepath.Join(dir, "cache-home", "sprintkit", "checkout-gomod", "checkout-"); !strings.HasPrefix(res.ModCache, want) {
			t.Errorf("module cache %s, want one of the checkout's own, %s…", res.ModCache, want)
		}
		if _, err := os.Stat(filepath.Join(res.ModCache, dl, "v1.0.0.zip")); err != nil {
			t.Errorf("the checkout's module cache lacks the zip: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dest, "hand_test.go")); err != nil {
			t.Errorf("the repository was not copied: %v", err)
		}
	})
}
