package image

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// writeProxyModule writes module path@version into a GOPROXY directory
// tree (path/@v/list, version.info, .mod, .zip) the way a module proxy
// serves it, and returns the two go.sum lines for it. files maps names
// inside the module to their content; go.mod is added when missing. The
// zip follows the module zip rules: every entry is "path@version/name".
func writeProxyModule(t *testing.T, proxy, path, version string, files map[string]string) string {
	t.Helper()
	if _, ok := files["go.mod"]; !ok {
		files["go.mod"] = "module " + path + "\n\ngo 1.21\n"
	}
	dir := filepath.Join(proxy, filepath.FromSlash(path), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("list", version+"\n")
	write(version+".info", fmt.Sprintf(`{"Version":%q,"Time":"2024-01-02T03:04:05Z"}`, version))
	write(version+".mod", files["go.mod"])

	f, err := os.Create(filepath.Join(dir, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	var names []string
	for name := range files {
		names = append(names, path+"@"+version+"/"+name)
	}
	sort.Strings(names)
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[strings.TrimPrefix(name, path+"@"+version+"/")])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	zipHash := hash1(names, func(n string) string { return files[strings.TrimPrefix(n, path+"@"+version+"/")] })
	modHash := hash1([]string{"go.mod"}, func(string) string { return files["go.mod"] })
	return fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n", path, version, zipHash, path, version, modHash)
}

// hash1 is golang.org/x/mod/sumdb/dirhash.Hash1: the SHA-256 of a list of
// "sha256hex  name\n" lines, one per file in sorted order, base64 with "h1:".
func hash1(names []string, content func(string) string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	h := sha256.New()
	for _, n := range sorted {
		fmt.Fprintf(h, "%x  %s\n", sha256.Sum256([]byte(content(n))), n)
	}
	return "h1:" + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// fixtureProject writes a module example.com/hello that depends on
// example.com/greet v1.0.0 (served from a file:// proxy under dir) in its
// code and on example.com/testonly v0.1.0 only in its tests, with a
// complete go.sum. It returns the project directory and the proxy.
func fixtureProject(t *testing.T, dir string) (project, proxy string) {
	t.Helper()
	proxy = filepath.Join(dir, "proxy")
	sum := writeProxyModule(t, proxy, "example.com/greet", "v1.0.0", map[string]string{
		"greet.go": "package greet\n\nfunc Hello(name string) string { return \"hello, \" + name }\n",
	})
	sum += writeProxyModule(t, proxy, "example.com/testonly", "v0.1.0", map[string]string{
		"check.go": "package testonly\n\nfunc Equal(a, b string) bool { return a == b }\n",
	})
	project = filepath.Join(dir, "hello")
	files := map[string]string{
		"go.mod":        "module example.com/hello\n\ngo 1.21\n\nrequire (\n\texample.com/greet v1.0.0\n\texample.com/testonly v0.1.0\n)\n",
		"go.sum":        sum,
		"hello.go":      "package hello\n\nimport \"example.com/greet\"\n\nfunc Greet() string { return greet.Hello(\"sprint\") }\n\nfunc Unused(n int) int {\n\tif n > 0 {\n\t\treturn n * 2\n\t}\n\treturn -n\n}\n",
		"hello_test.go": "package hello\n\nimport (\n\t\"testing\"\n\n\t\"example.com/testonly\"\n)\n\nfunc TestGreet(t *testing.T) {\n\tif !testonly.Equal(Greet(), \"hello, sprint\") {\n\t\tt.Fatal(Greet())\n\t}\n}\n",
	}
	for name, content := range files {
		p := filepath.Join(project, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return project, proxy
}

// gitInit makes dir a git repository with one commit and an origin remote.
func gitInit(t *testing.T, dir, origin string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"-c", "user.name=Organiser", "-c", "user.email=org@example.com", "add", "-A"},
		{"-c", "user.name=Organiser", "-c", "user.email=org@example.com", "commit", "-q", "-m", "first"},
		{"remote", "add", "origin", origin},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// goEnv returns an environment for go in tests: no network (GOPROXY is
// the given file proxy), an empty module cache of the test's own.
func goEnv(t *testing.T, proxy string) []string {
	env := os.Environ()
	env = setEnv(env, "GOPROXY", FileURL(proxy))
	env = setEnv(env, "GOMODCACHE", filepath.Join(t.TempDir(), "organiser-modcache"))
	env = setEnv(env, "GOFLAGS", "-mod=mod -modcacherw")
	env = setEnv(env, "GOTOOLCHAIN", "local")
	env = setEnv(env, "GONOSUMDB", "example.com")
	env = setEnv(env, "GOWORK", "off")
	return env
}
