package image

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/internal/testkit"
	"github.com/sprintkit/sprintkit/project"
)

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func scanManifest(t *testing.T, dir string) *Manifest {
	t.Helper()
	files, _, err := Scan(context.Background(), dir, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Format: Format, Version: ManifestVersion}
	m.SetEntries(files)
	return m
}

func TestVerifyNamesEveryDamagedOrMissingFile(t *testing.T) {
	tree := map[string]string{
		"repo/go.mod":                              "module example.com/hello\n",
		"repo/hello.go":                            "package hello\n",
		"gomod/cache/download/x/@v/v1.0.0.zip":     "zipzipzip",
		"bin/sprintkit":                            "binary",
		"README.txt":                               "read me",
		"gomod/cache/download/x/@v/v1.0.0.info":    `{"Version":"v1.0.0"}`,
		"gomod/cache/download/x/@v/v1.0.0.mod":     "module x\n",
		"repo/.git/objects/pack/pack-1.pack":       "PACK",
		"repo/.git/refs/heads/main":                "0123\n",
		"report/index.html":                        "<html>",
		"repo/deep/er/still/a_file_test.go":        "package still\n",
		"gomod/cache/download/y/@v/v2.0.0.mod":     "module y\n",
		"gomod/cache/download/y/@v/v2.0.0.info":    "{}",
		"gomod/cache/download/y/@v/v2.0.0.zip":     "yyyy",
		"gomod/cache/download/y/@v/v2.0.0.ziphash": "h1:x",
	}
	cases := []struct {
		name   string
		damage func(dir string)
		want   []Problem // path and kind
	}{
		{"an untouched image verifies", func(string) {}, nil},
		{"a file changed in place with the same size is named as a checksum mismatch", func(dir string) {
			os.WriteFile(filepath.Join(dir, "repo/hello.go"), []byte("package HELLO\n"), 0o644)
		}, []Problem{{Path: "repo/hello.go", Kind: "checksum"}}},
		{"a missing file is named", func(dir string) {
			os.Remove(filepath.Join(dir, "gomod/cache/download/x/@v/v1.0.0.zip"))
		}, []Problem{{Path: "gomod/cache/download/x/@v/v1.0.0.zip", Kind: "missing"}}},
		{"a truncated file is named by its size", func(dir string) {
			os.WriteFile(filepath.Join(dir, "bin/sprintkit"), []byte("bin"), 0o755)
		}, []Problem{{Path: "bin/sprintkit", Kind: "size"}}},
		{"several problems are all named, in path order", func(dir string) {
			os.Remove(filepath.Join(dir, "README.txt"))
			os.WriteFile(filepath.Join(dir, "repo/.git/refs/heads/main"), []byte("9999\n"), 0o644)
		}, []Problem{{Path: "README.txt", Kind: "missing"}, {Path: "repo/.git/refs/heads/main", Kind: "checksum"}}},
		{"a file that became a directory is named", func(dir string) {
			os.Remove(filepath.Join(dir, "report/index.html"))
			os.Mkdir(filepath.Join(dir, "report/index.html"), 0o755)
		}, []Problem{{Path: "report/index.html", Kind: "type"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tree)
			m := scanManifest(t, dir)
			if m.TotalFiles != len(tree) {
				t.Fatalf("manifest lists %d files, want %d", m.TotalFiles, len(tree))
			}
			tc.damage(dir)
			err := Verify(context.Background(), dir, m, VerifyOptions{Workers: 3})
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("Verify returned %v, want a *VerifyError", err)
			}
			if len(ve.Problems) != len(tc.want) {
				t.Fatalf("problems %v, want %v", ve.Problems, tc.want)
			}
			for i, w := range tc.want {
				if ve.Problems[i].Path != w.Path || ve.Problems[i].Kind != w.Kind {
					t.Errorf("problem %d = %+v, want %s %s", i, ve.Problems[i], w.Path, w.Kind)
				}
				if !strings.Contains(err.Error(), w.Path) {
					t.Errorf("error %q does not name %s", err, w.Path)
				}
			}
		})
	}
}

func TestScanReusesHashesOnlyOfUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a": "one", "b/c": "two", "d": "three"})
	sums := func(entries []FileEntry) map[string]string {
		m := map[string]string{}
		for _, e := range entries {
			if e.IsFile() {
				m[e.Path] = e.SHA256
			}
		}
		return m
	}
	first, hashed, err := Scan(context.Background(), dir, ScanOptions{})
	if err != nil || hashed != 3 {
		t.Fatalf("first scan hashed %d (err %v), want 3", hashed, err)
	}
	prev := &Manifest{Files: first}
	again, hashed, err := Scan(context.Background(), dir, ScanOptions{Previous: prev})
	if err != nil || hashed != 0 {
		t.Fatalf("rescan of an unchanged tree hashed %d (err %v), want 0", hashed, err)
	}
	if len(again) != 4 || sums(again)["b/c"] != sums(first)["b/c"] {
		t.Fatalf("rescan lost entries: %+v", again)
	}
	// Change one file's content and time: only it is hashed again.
	os.WriteFile(filepath.Join(dir, "d"), []byte("THREE"), 0o644)
	future := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "d"), future, future)
	third, hashed, err := Scan(context.Background(), dir, ScanOptions{Previous: prev})
	if err != nil || hashed != 1 {
		t.Fatalf("scan after one change hashed %d (err %v), want 1", hashed, err)
	}
	if sums(third)["d"] == sums(first)["d"] {
		t.Fatal("the changed file kept its old hash")
	}
}

// Names that look like temporaries are user files like any other: they
// are listed, so a changed copy fails verification (issue 13, item 5).
func TestScanListsEveryEntryWhateverItsName(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		ManifestFile:                 "{}",
		"repo/.env.tmpl":             "A=1",
		"repo/.sprintkit.tmp-notes":  "mine",
		"repo/.x.tmp-123":            "mine too",
		"repo/x":                     "x",
		"repo/empty/.keep-me-not.go": "",
	})
	os.Remove(filepath.Join(dir, "repo/empty/.keep-me-not.go"))
	os.Chmod(filepath.Join(dir, "repo/x"), 0o755)
	if err := os.Symlink("x", filepath.Join(dir, "repo/link")); err != nil {
		t.Skipf("symlinks: %v", err)
	}
	files, _, err := Scan(context.Background(), dir, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		d := f.Path + " " + f.Type
		switch f.Type {
		case TypeSymlink:
			d += " -> " + f.Target
		case TypeFile:
			d += " " + f.Mode
		}
		got = append(got, d)
	}
	want := []string{
		"repo dir",
		"repo/.env.tmpl file 0644",
		"repo/.sprintkit.tmp-notes file 0644",
		"repo/.x.tmp-123 file 0644",
		"repo/empty dir",
		"repo/link symlink -> x",
		"repo/x file 0755",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Scan listed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// And a changed .env.tmpl is a difference.
	m := &Manifest{Format: Format, Version: ManifestVersion}
	m.SetEntries(files)
	os.WriteFile(filepath.Join(dir, "repo/.env.tmpl"), []byte("A=2"), 0o644)
	var ve *VerifyError
	if err := Verify(context.Background(), dir, m, VerifyOptions{}); !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Path != "repo/.env.tmpl" {
		t.Fatalf("Verify after changing .env.tmpl: %v", err)
	}
}

func TestReadManifestExplainsWhatIsWrong(t *testing.T) {
	cases := []struct {
		name    string
		content string // "" means no manifest at all
		want    string
	}{
		{"a folder with no manifest is an unfinished or foreign image", "", "no manifest.json"},
		{"a manifest of another format is refused", `{"format":"other","version":1}`, `format "other"`},
		{"a newer manifest version is refused", `{"format":"sprintkit-image","version":9}`, "version 9"},
		{"a path that escapes the image is refused", `{"format":"sprintkit-image","version":1,"files":[{"path":"../etc/passwd","size":1,"sha256":"` + strings.Repeat("a", 64) + `"}]}`, "invalid entry"},
		{"broken JSON is named", `{"format":`, "parse"},
		{"a Windows path that escapes the image is refused", `{"format":"sprintkit-image","version":1,"files":[{"path":"repo\\..\\..\\x","size":1,"sha256":"` + strings.Repeat("a", 64) + `"}]}`, "invalid entry"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.content != "" {
				os.WriteFile(filepath.Join(dir, ManifestFile), []byte(tc.content), 0o644)
			}
			_, err := ReadManifest(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ReadManifest error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestInsideImage(t *testing.T) {
	cases := []struct {
		path string
		ok   bool
	}{
		{"repo/go.mod", true},
		{"repo/docs/a:b.txt", true}, // a legal name on Linux and macOS
		{"../etc/passwd", false},
		{"repo/../../x", false},
		{`repo\..\..\x`, false},
		{"C:/Windows/x", false},
		{"/abs", false},
	}
	for _, tc := range cases {
		if got := insideImage(tc.path); got != tc.ok {
			t.Errorf("insideImage(%q) = %v, want %v", tc.path, got, tc.ok)
		}
	}
}

func TestStripCredentials(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"a token used as the user name is removed", "https://ghp_secret@github.com/org/p.git", "https://github.com/org/p.git"},
		{"a user and password are removed from https", "https://me:pw@host.example/org/p.git", "https://host.example/org/p.git"},
		{"an ssh password is removed but the user kept", "ssh://git:pw@host.example/org/p.git", "ssh://git@host.example/org/p.git"},
		{"an scp-like address is kept", "git@github.com:org/p.git", "git@github.com:org/p.git"},
		{"a URL with no credentials is kept", "https://github.com/org/p.git", "https://github.com/org/p.git"},
		{"a local path is kept", "/home/org/p", "/home/org/p"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := StripCredentials(tc.in); got != tc.want {
				t.Fatalf("StripCredentials(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSanitizeGitConfigKeepsRemotesAndDropsTheOrganisersSettings(t *testing.T) {
	in := `[core]
	repositoryformatversion = 0
	filemode = true
	bare = false
	sshCommand = ssh -i /home/org/.ssh/secret
	worktree = /home/org/p
[user]
	name = Organiser
	email = org@example.com
[remote "origin"]
	url = https://org:tok3n@github.com/org/p.git
	fetch = +refs/heads/*:refs/remotes/origin/*
[remote "fork"]
	url = https://ghp_abc@github.com/me/p.git
	fetch = +refs/heads/*:refs/remotes/fork/*
[branch "main"]
	remote = origin
	merge = refs/heads/main
[http "https://github.com"]
	extraheader = AUTHORIZATION: basic c2VjcmV0
[credential]
	helper = store
`
	out, origin, err := SanitizeGitConfig([]byte(in), "")
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if origin != "https://github.com/org/p.git" {
		t.Errorf("origin = %q", origin)
	}
	for _, gone := range []string{"tok3n", "ghp_abc", "Organiser", "extraheader", "c2VjcmV0", "helper", "sshCommand", "secret", "worktree"} {
		if strings.Contains(s, gone) {
			t.Errorf("sanitized config still holds %q:\n%s", gone, s)
		}
	}
	for _, kept := range []string{"https://github.com/me/p.git", "+refs/heads/*:refs/remotes/origin/*", "merge = refs/heads/main", "repositoryformatversion = 0"} {
		if !strings.Contains(s, kept) {
			t.Errorf("sanitized config lost %q:\n%s", kept, s)
		}
	}

	// An image made from a clone of a URL gets that URL as origin.
	out, origin, err = SanitizeGitConfig([]byte("[core]\n\tbare = false\n[remote \"origin\"]\n\turl = /tmp/sprintkit-clone-1/p\n"), "https://u:p@host.example/org/p.git")
	if err != nil {
		t.Fatal(err)
	}
	if origin != "https://host.example/org/p.git" || strings.Contains(string(out), "/tmp/") {
		t.Fatalf("upstream not applied: origin %q\n%s", origin, out)
	}
}

func TestNewcomerEnvPointsGoAtTheSeededCache(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "gomod")
	vars := NewcomerEnv(cache, "https://proxy.golang.org,direct", "corp.example", []string{"example.com/greet", "golang.org/x/mod"})
	got := map[string]string{}
	for _, v := range vars {
		got[v.Key] = v.Value
	}
	wantProxy := FileURL(filepath.Join(cache, "cache", "download")) + ",https://proxy.golang.org,direct"
	if got["GOPROXY"] != wantProxy {
		t.Errorf("GOPROXY = %q, want %q", got["GOPROXY"], wantProxy)
	}
	if got["GOMODCACHE"] != cache {
		t.Errorf("GOMODCACHE = %q", got["GOMODCACHE"])
	}
	if got["GONOSUMDB"] != "example.com/greet,golang.org/x/mod,corp.example" {
		t.Errorf("GONOSUMDB = %q", got["GONOSUMDB"])
	}
	if !strings.Contains(got["GOFLAGS"], "-modcacherw") || !strings.Contains(got["GOFLAGS"], "-mod=mod") {
		t.Errorf("GOFLAGS = %q", got["GOFLAGS"])
	}
	// A user with GOPROXY=off keeps it as the fallback: nothing reaches the network.
	off := NewcomerEnv(cache, "off", "", nil)
	if !strings.HasSuffix(off[1].Value, ",off") {
		t.Errorf("GOPROXY with a user's off = %q", off[1].Value)
	}

	var b bytes.Buffer
	if err := WriteEnv(&b, []EnvVar{{"GOFLAGS", "-mod=mod -modcacherw"}, {"X", "it's"}}, ImageEnvHeader); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "export GOFLAGS='-mod=mod -modcacherw'\n") || !strings.Contains(b.String(), `export X='it'\''s'`) {
		t.Errorf("env file:\n%s", b.String())
	}
	ps := ExportLines([]EnvVar{{"GOPROXY", "file:///C:/x"}}, "windows")
	if ps[0] != "$env:GOPROXY = 'file:///C:/x'" {
		t.Errorf("PowerShell line %q", ps[0])
	}
}

func TestReadGoMod(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"go.mod": "// comment\nmodule \"example.com/q\" // quoted\n\ngo 1.22.3\n\ntoolchain go1.23.1\n\nrequire example.com/go v1.0.0\n"})
	g, err := project.ReadGoMod(dir)
	if err != nil {
		t.Fatal(err)
	}
	if g.Module != "example.com/q" || g.Go != "1.22.3" || g.Toolchain != "go1.23.1" {
		t.Fatalf("ReadGoMod = %+v", g)
	}
	if _, err := project.ReadGoMod(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("ReadGoMod of a folder with no go.mod: %v", err)
	}
}

func TestCheckToolchainReportsAnImageForANewerGo(t *testing.T) {
	tc := CheckToolchain(context.Background(), os.Environ(), "99.0")
	if tc.Local == "" {
		testkit.Missing(t, "no go command")
	}
	if tc.OK || !strings.Contains(tc.Problem, "99.0") || !strings.Contains(tc.Problem, tc.Local) {
		t.Fatalf("CheckToolchain for go 99.0 = %+v", tc)
	}
	if tc := CheckToolchain(context.Background(), os.Environ(), "1.21"); !tc.OK {
		t.Fatalf("CheckToolchain for go 1.21 = %+v", tc)
	}
}

func TestStageModulesFromAFileProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := t.TempDir()
	project, proxy := fixtureProject(t, dir)
	before, _ := os.ReadFile(filepath.Join(project, "go.sum"))
	cache := filepath.Join(dir, "private")
	res, err := StageModules(context.Background(), project, ModOptions{Cache: cache, Env: goEnv(t, proxy)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"example.com/greet@v1.0.0", "example.com/testonly@v0.1.0"}
	if strings.Join(res.Modules, " ") != strings.Join(want, " ") {
		t.Fatalf("modules %v, want %v", res.Modules, want)
	}
	if res.GoSumAdded != 0 {
		t.Errorf("a complete go.sum reported %d missing lines", res.GoSumAdded)
	}
	for _, f := range []string{"example.com/greet/@v/v1.0.0.zip", "example.com/greet/@v/v1.0.0.mod", "example.com/testonly/@v/v0.1.0.zip"} {
		if _, err := os.Stat(filepath.Join(cache, "cache", "download", filepath.FromSlash(f))); err != nil {
			t.Errorf("private cache lacks %s: %v", f, err)
		}
	}
	after, _ := os.ReadFile(filepath.Join(project, "go.sum"))
	if !bytes.Equal(before, after) {
		t.Error("staging modified the project's go.sum")
	}

	// A go.sum that lacks lines is reported, and still left alone.
	os.WriteFile(filepath.Join(project, "go.sum"), nil, 0o644)
	res, err = StageModules(context.Background(), project, ModOptions{Cache: cache, Env: goEnv(t, proxy)})
	if err != nil {
		t.Fatal(err)
	}
	if res.GoSumAdded == 0 {
		t.Error("an empty go.sum was reported complete")
	}
	if b, _ := os.ReadFile(filepath.Join(project, "go.sum")); len(b) != 0 {
		t.Error("staging wrote into the project's go.sum")
	}
}

func TestStageModulesNamesAModuleTheProxyLacks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir := t.TempDir()
	project, proxy := fixtureProject(t, dir)
	os.RemoveAll(filepath.Join(proxy, "example.com", "testonly"))
	_, err := StageModules(context.Background(), project, ModOptions{Cache: filepath.Join(dir, "private"), Env: goEnv(t, proxy)})
	if err == nil || !strings.Contains(err.Error(), "example.com/testonly") {
		t.Fatalf("StageModules with a module missing from the proxy: %v", err)
	}
}

func TestDocsShowTheOneCommandForEveryPlatform(t *testing.T) {
	m := &Manifest{Project: "example.com/hello", Commit: "0123456789abcdef", Go: "1.21", SprintkitVersion: "v1.0.0",
		Created: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Modules: []string{"example.com/greet@v1.0.0"},
		Platforms: []string{"darwin/arm64", "windows/amd64"}, Upstream: "https://host.example/org/hello.git"}
	d := DocInfo{Manifest: m, HasReport: true, HostPlatform: "linux/amd64"}
	var html, txt bytes.Buffer
	if err := WriteStartHere(&html, d); err != nil {
		t.Fatal(err)
	}
	if err := WriteReadme(&txt, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"./bin/sprintkit setup --from-image . --dir ~/hello",
		"./bin/darwin-arm64/sprintkit setup --from-image . --dir ~/hello",
		`bin\windows-amd64\sprintkit.exe setup --from-image . --dir %USERPROFILE%\hello`,
		"0123456789ab", "1.21", "report/index.html", "permission denied",
	} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("README.txt lacks %q", want)
		}
		if !strings.Contains(html.String(), want) {
			t.Errorf("START_HERE.html lacks %q", want)
		}
	}
	if !strings.Contains(html.String(), `href="report/index.html"`) || strings.Contains(html.String(), "http://") {
		t.Errorf("START_HERE.html should link the report relatively and load nothing from the network")
	}
}

func TestParsePlatforms(t *testing.T) {
	cases := []struct {
		name, in string
		want     string // joined with spaces; "error" when it must fail
	}{
		{"the issue's three platforms are accepted in order", "linux/amd64,darwin/arm64,windows/amd64", "linux/amd64 darwin/arm64 windows/amd64"},
		{"spaces and repeats are dropped", " linux/amd64 , linux/amd64,", "linux/amd64"},
		{"an empty list means no cross-builds", "", ""},
		{"a platform without an architecture is refused", "linux", "error"},
		{"a platform with a path in it is refused", "../x/amd64", "error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePlatforms(tc.in)
			if tc.want == "error" {
				if err == nil {
					t.Fatalf("ParsePlatforms(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil || strings.Join(got, " ") != tc.want {
				t.Fatalf("ParsePlatforms(%q) = %v, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	if PlatformBinary("windows/amd64") != "bin/windows-amd64/sprintkit.exe" || PlatformBinary("darwin/arm64") != "bin/darwin-arm64/sprintkit" {
		t.Errorf("PlatformBinary: %s, %s", PlatformBinary("windows/amd64"), PlatformBinary("darwin/arm64"))
	}
}

func TestSourceDirFindsThisCheckoutOrSaysWhyNot(t *testing.T) {
	t.Setenv("SPRINTKIT_SRC", "")
	dir, err := SourceDir()
	if err != nil {
		t.Fatalf("SourceDir from a test built in the source tree: %v", err)
	}
	if g, err := project.ReadGoMod(dir); err != nil || g.Module != SourceModule {
		t.Fatalf("SourceDir = %s, whose go.mod is %+v (%v)", dir, g, err)
	}
	t.Setenv("SPRINTKIT_SRC", t.TempDir())
	if _, err := SourceDir(); err == nil || !strings.Contains(err.Error(), "SPRINTKIT_SRC") {
		t.Fatalf("SourceDir with SPRINTKIT_SRC pointing at an empty folder: %v", err)
	}
}
