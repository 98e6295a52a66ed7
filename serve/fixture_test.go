package serve

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"

	"github.com/sprintkit/sprintkit/image"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// fixtureModule is one module version of the fixture's proxy tree.
type fixtureModule struct {
	path, version string
	files         map[string]string
}

// fixtureModules: greet has a release older than the one the project
// uses, a newer release and a newer pre-release (so @latest is v1.1.0);
// Upper's path has a capital (escaped "!upper" on disk and in URLs).
var fixtureModules = []fixtureModule{
	{"example.com/greet", "v1.0.0", map[string]string{"greet.go": "package greet\n\nfunc Hello(name string) string { return \"hello, \" + name }\n"}},
	{"example.com/greet", "v1.1.0", map[string]string{"greet.go": "package greet\n\nfunc Hello(name string) string { return \"hello there, \" + name }\n"}},
	{"example.com/greet", "v1.2.0-pre", map[string]string{"greet.go": "package greet\n\nfunc Hello(name string) string { return \"hi, \" + name }\n"}},
	{"example.com/Upper", "v0.1.0", map[string]string{"up.go": "package upper\n\nconst Name = \"up\"\n"}},
}

// writeModule writes m into the GOPROXY tree proxy (list, .info, .mod,
// .zip, in the escaped layout) and returns its two go.sum lines.
func writeModule(t testing.TB, proxy string, m fixtureModule) string {
	t.Helper()
	files := map[string]string{"go.mod": "module " + m.path + "\n\ngo 1.21\n"}
	for k, v := range m.files {
		files[k] = v
	}
	ep, _ := module.EscapePath(m.path)
	ev, _ := module.EscapeVersion(m.version)
	dir := filepath.Join(proxy, filepath.FromSlash(ep), "@v")
	must(t, os.MkdirAll(dir, 0o755))
	f, err := os.OpenFile(filepath.Join(dir, "list"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	must(t, err)
	fmt.Fprintln(f, m.version)
	must(t, f.Close())
	must(t, os.WriteFile(filepath.Join(dir, ev+".info"), fmt.Appendf(nil, `{"Version":%q,"Time":"2024-01-02T03:04:05Z"}`, m.version), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, ev+".mod"), []byte(files["go.mod"]), 0o644))
	zf, err := os.Create(filepath.Join(dir, ev+".zip"))
	must(t, err)
	zw := zip.NewWriter(zf)
	var names []string
	for name := range files {
		names = append(names, m.path+"@"+m.version+"/"+name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		w, err := zw.Create(n)
		must(t, err)
		content := files[strings.TrimPrefix(n, m.path+"@"+m.version+"/")]
		w.Write([]byte(content))
		fmt.Fprintf(h, "%x  %s\n", sha256.Sum256([]byte(content)), n)
	}
	must(t, zw.Close())
	must(t, zf.Close())
	mh := sha256.New()
	fmt.Fprintf(mh, "%x  %s\n", sha256.Sum256([]byte(files["go.mod"])), "go.mod")
	return fmt.Sprintf("%s %s h1:%s\n%s %s/go.mod h1:%s\n", m.path, m.version, base64.StdEncoding.EncodeToString(h.Sum(nil)),
		m.path, m.version, base64.StdEncoding.EncodeToString(mh.Sum(nil)))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func run(t testing.TB, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = env
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// fixtureImage writes an image by hand, the way `sprintkit image` lays it
// out (a git repository with two commits, the module tree, a report, a
// baseline, coverage.json with two targets, a manifest with every entry),
// and returns its directory.
func fixtureImage(t testing.TB) string {
	t.Helper()
	testkit.NeedGit(t)
	img := filepath.Join(t.TempDir(), "box")
	proxy := filepath.Join(img, filepath.FromSlash(image.ProxyDir))
	var sum string
	for _, m := range fixtureModules {
		s := writeModule(t, proxy, m)
		if m.version == "v1.0.0" {
			sum += s
		}
	}
	repo := filepath.Join(img, image.RepoDir)
	files := map[string]string{
		"go.mod":        "module example.com/hello\n\ngo 1.21\n\nrequire example.com/greet v1.0.0\n",
		"go.sum":        sum,
		"hello.go":      "package hello\n\nimport \"example.com/greet\"\n\nfunc Greet() string { return greet.Hello(\"sprint\") }\n",
		"hello_test.go": "package hello\n\nimport \"testing\"\n\nfunc TestGreet(t *testing.T) {\n\tif Greet() != \"hello, sprint\" {\n\t\tt.Fatal(Greet())\n\t}\n}\n",
		"url/parse.go":  "package url\n\nfunc Parse(s string) string { return s }\n",
	}
	for name, content := range files {
		p := filepath.Join(repo, filepath.FromSlash(name))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(content), 0o644))
	}
	git := []string{"-c", "user.name=Organiser", "-c", "user.email=org@example.com"}
	run(t, repo, nil, "git", "init", "-q", "-b", "main")
	run(t, repo, nil, "git", append(git, "add", "-A")...)
	run(t, repo, nil, "git", append(git, "commit", "-q", "-m", "first")...)
	must(t, os.WriteFile(filepath.Join(repo, "README"), []byte("hello\n"), 0o644))
	run(t, repo, nil, "git", append(git, "add", "-A")...)
	run(t, repo, nil, "git", append(git, "commit", "-q", "-m", "second")...)
	commit := strings.TrimSpace(run(t, repo, nil, "git", "rev-parse", "HEAD"))

	must(t, os.MkdirAll(filepath.Join(img, image.ReportDir), 0o755))
	must(t, os.WriteFile(filepath.Join(img, image.ReportDir, "index.html"), []byte("<!doctype html><title>report</title><h1>coverage report</h1>\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(img, image.BaselineFile), []byte(`{"type":"baseline","version":1}`+"\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(img, image.CoverageFile), []byte(`{"type":"coverage","version":1,"targets":[
 {"rank":1,"kind":"package","name":"example.com/hello/url","percent":0,"uncovered":1,"reason":"no test reaches Parse"},
 {"rank":2,"kind":"package","name":"example.com/hello","percent":50,"uncovered":1,"reason":"<b>half</b> covered"},
 {"rank":3,"kind":"file","name":"odd dir/ünï%2F.py","percent":10,"uncovered":12,"reason":"a Python module"}]}`+"\n"), 0o644))
	must(t, os.MkdirAll(filepath.Join(img, image.BinDir), 0o755))
	must(t, os.WriteFile(filepath.Join(img, image.BinDir, "sprintkit"), []byte("#!/bin/sh\n"), 0o755))

	entries, _, err := image.Scan(context.Background(), img, image.ScanOptions{})
	must(t, err)
	m := &image.Manifest{Format: image.Format, Version: image.ManifestVersion, Created: time.Now().UTC(),
		Project: "example.com/hello", Commit: commit, Go: "1.21",
		Modules: []string{"example.com/greet@v1.0.0"}, Platforms: []string{}}
	m.SetEntries(entries)
	b, err := json.MarshalIndent(m, "", "  ")
	must(t, err)
	must(t, os.WriteFile(filepath.Join(img, image.ManifestFile), b, 0o644))
	return img
}

// startServer opens img and serves it on 127.0.0.1 until the test ends.
func startServer(t testing.TB, opts Options) (*Server, string) {
	t.Helper()
	s, err := Open(context.Background(), opts)
	must(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not stop within 10s of its context's end")
		}
		s.Close()
	})
	return s, "http://" + ln.Addr().String() + "/"
}

func get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp.StatusCode, string(b)
}
