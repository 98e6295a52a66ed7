package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/checkout"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/room"
)

func TestOpenRefusesAnImageThatDiffersFromItsManifest(t *testing.T) {
	img := fixtureImage(t)
	must(t, os.WriteFile(filepath.Join(img, "repo", "hello.go"), []byte("package hello // changed\n"), 0o644))
	_, err := Open(context.Background(), Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	var ve *image.VerifyError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "repo/hello.go") {
		t.Fatalf("Open of a changed image: %v, want a *image.VerifyError naming repo/hello.go", err)
	}
	if hint.Of(err) == "" {
		t.Errorf("the error has no hint: %v", err)
	}
	if _, err := os.Stat(DefaultDB(img)); err == nil {
		t.Errorf("a refused image got a claims database beside it")
	}
}

func TestOpenRefusesAClaimsDatabaseInsideTheImage(t *testing.T) {
	img := fixtureImage(t)
	for _, db := range []string{filepath.Join(img, "claims.db"), filepath.Join(img, "repo", "x.db")} {
		_, err := Open(context.Background(), Options{Image: img, DB: db})
		if err == nil || !strings.Contains(err.Error(), "inside the image") {
			t.Errorf("Open with --db %s: %v, want it refused", db, err)
		}
		if _, serr := os.Stat(db); serr == nil {
			t.Errorf("%s was created", db)
		}
	}
	s, err := Open(context.Background(), Options{Image: img, DB: img + "-beside.db"})
	if err != nil {
		t.Fatalf("Open with a database beside the image: %v", err)
	}
	s.Close()
}

func TestTheServerServesWhatTheImageHoldsAndNothingElse(t *testing.T) {
	img := fixtureImage(t)
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	for _, tc := range []struct {
		name, path string
		code       int
		body       string
	}{
		{"the landing page says how to join", "", 200, "sprintkit setup " + url},
		{"the landing page lists the targets", "", 200, "example.com/hello/url"},
		{"the landing page escapes a target's reason", "", 200, "&lt;b&gt;half&lt;/b&gt;"},
		{"the landing page links the image's sprintkit", "", 200, `href="bin/sprintkit"`},
		{"the report is served", "report/", 200, "coverage report"},
		{"the report directory without its slash redirects", "report", 200, "coverage report"},
		{"the baseline is served", "baseline.json", 200, `"type":"baseline"`},
		{"coverage.json is served", "coverage.json", 200, "example.com/hello/url"},
		{"the binary is served", "bin/sprintkit", 200, "#!/bin/sh"},
		{"a module's version list", "mod/example.com/greet/@v/list", 200, "v1.0.0\nv1.1.0\nv1.2.0-pre\n"},
		{"a version's .info", "mod/example.com/greet/@v/v1.0.0.info", 200, `"Version":"v1.0.0"`},
		{"a version's .mod", "mod/example.com/greet/@v/v1.1.0.mod", 200, "module example.com/greet"},
		{"@latest is the highest release, not the pre-release", "mod/example.com/greet/@latest", 200, `"Version":"v1.1.0"`},
		{"a module path with a capital is served escaped", "mod/example.com/!upper/@v/v0.1.0.mod", 200, "module example.com/Upper"},
		{"a module the image lacks is 404", "mod/example.com/other/@v/list", 404, ""},
		{"@latest of a module the image lacks is 404", "mod/example.com/other/@latest", 404, ""},
		{"a version the image lacks is 404", "mod/example.com/greet/@v/v9.9.9.zip", 404, ""},
		{"an unescaped capital is 404", "mod/example.com/Upper/@v/list", 404, ""},
		{"a file of the cache that is not the protocol's is 404", "mod/example.com/greet/@v/v1.0.0.ziphash", 404, ""},
		{"a dot-dot path is cleaned, never followed", "report/../../../../etc/passwd", 404, ""},
		{"an encoded dot-dot is 404", "mod/example.com/greet/@v/%2e%2e/%2e%2e/%2e%2e/%2e%2e/manifest.json", 404, ""},
		{"an encoded slash is 404", "mod/example.com%2fgreet/@v/list", 404, ""},
		{"an encoded backslash is 404", "report/..%5c..%5cmanifest.json", 404, ""},
		{"the repository's files are not served as files", "repo/go.mod", 404, ""},
		{"the dumb git protocol is not served", "repo.git/HEAD", 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := get(t, url+tc.path)
			if code != tc.code || !strings.Contains(body, tc.body) {
				t.Errorf("GET /%s: %d %q, want %d with %q", tc.path, code, firstLine(body), tc.code, tc.body)
			}
		})
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func TestAZipIsServedByteForByte(t *testing.T) {
	img := fixtureImage(t)
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	want, err := os.ReadFile(filepath.Join(img, filepath.FromSlash(image.ProxyDir), "example.com/greet/@v/v1.0.0.zip"))
	must(t, err)
	code, got := get(t, url+"mod/example.com/greet/@v/v1.0.0.zip")
	if code != 200 || got != string(want) {
		t.Fatalf("GET the zip: %d, %d bytes; want 200 and the image's %d bytes", code, len(got), len(want))
	}
}

func TestASymlinkOutOfTheModuleTreeIsNotFollowed(t *testing.T) {
	img := fixtureImage(t)
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	// Planted after the image was verified: os.Root still refuses it.
	secret := filepath.Join(t.TempDir(), "secret")
	must(t, os.WriteFile(secret, []byte("secret"), 0o644))
	must(t, os.Symlink(secret, filepath.Join(img, filepath.FromSlash(image.ProxyDir), "example.com/greet/@v/v7.0.0.mod")))
	must(t, os.Symlink(filepath.Dir(secret), filepath.Join(img, image.ReportDir, "out")))
	for _, p := range []string{"mod/example.com/greet/@v/v7.0.0.mod", "report/out/secret"} {
		if code, body := get(t, url+p); code != 404 || strings.Contains(body, "secret") {
			t.Errorf("GET /%s through a symlink out of the image: %d %q, want 404", p, code, body)
		}
	}
}

func TestSprintJSONDescribesTheSprintAndDiscoverReadsIt(t *testing.T) {
	img := fixtureImage(t)
	s, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db"), Token: "t0k"})
	for _, server := range []string{url, strings.TrimSuffix(url, "/"), strings.TrimPrefix(url, "http://"), url + "sprint.json"} {
		sp, err := room.Discover(context.Background(), server)
		if err != nil {
			t.Fatalf("room.Discover(%s): %v", server, err)
		}
		if sp.Type != "sprint" || sp.Version != 1 || sp.Project != "example.com/hello" || sp.Commit != s.Manifest().Commit || sp.Go != "1.21" {
			t.Errorf("room.Discover(%s) = %+v", server, sp)
		}
		if sp.URLs.Repo != url+"repo.git" || sp.URLs.GoProxy != url+"mod" || sp.URLs.Claims != url+"claims" || !sp.ClaimsNeedToken {
			t.Errorf("room.Discover(%s).URLs = %+v", server, sp.URLs)
		}
		if strings.Join(sp.Modules, ",") != "example.com/greet" {
			t.Errorf("room.Discover(%s).Modules = %v", server, sp.Modules)
		}
	}
	// Something else on a port is not a sprint server.
	other := startPlain(t, http.NotFoundHandler())
	if _, err := room.Discover(context.Background(), other); !errors.Is(err, room.ErrNotSprint) {
		t.Errorf("Discover of a plain 404 server: %v, want room.ErrNotSprint", err)
	}
}

func startPlain(t *testing.T, h http.Handler) string {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: time.Second}
	ln, err := listenLoopback()
	must(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/"
}

func TestGitClonesTheRepositoryAndCannotPush(t *testing.T) {
	img := fixtureImage(t)
	s, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	if s.GitError() != nil {
		t.Fatalf("the server under test cannot serve git: %v", s.GitError())
	}
	dir := filepath.Join(t.TempDir(), "hello")
	env := append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
	run(t, "", env, "git", "clone", "-q", url+"repo.git", dir)
	if got := strings.TrimSpace(run(t, dir, env, "git", "rev-parse", "HEAD")); got != s.Manifest().Commit {
		t.Errorf("git clone: HEAD %s, want the image's %s", got, s.Manifest().Commit)
	}
	if n := strings.TrimSpace(run(t, dir, env, "git", "rev-list", "--count", "HEAD")); n != "2" {
		t.Errorf("git clone: %s commits, want the whole history, 2", n)
	}
	// A push is refused, and the image is unchanged.
	must(t, os.WriteFile(filepath.Join(dir, "evil"), []byte("x"), 0o644))
	run(t, dir, env, "git", "-c", "user.name=x", "-c", "user.email=x@x", "add", "-A")
	run(t, dir, env, "git", "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "evil")
	cmd := exec.Command("git", "push", "origin", "HEAD:main")
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("git push to the sprint server succeeded:\n%s", out)
	}
	if code, _ := get(t, url+"repo.git/info/refs?service=git-receive-pack"); code != http.StatusForbidden {
		t.Errorf("info/refs for receive-pack: %d, want 403", code)
	}
	if err := image.Verify(context.Background(), img, s.Manifest(), image.VerifyOptions{}); err != nil {
		t.Errorf("the image changed: %v", err)
	}
}

func TestGoGitClonesTheRepository(t *testing.T) {
	img := fixtureImage(t)
	s, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	if s.GitError() != nil {
		t.Fatalf("the server under test cannot serve git: %v", s.GitError())
	}
	for _, depth := range []int{0, 1} {
		dir := filepath.Join(t.TempDir(), "hello")
		res, err := checkout.Clone(context.Background(), checkout.Options{URL: url + "repo.git", Dir: dir, Depth: depth})
		if err != nil {
			t.Fatalf("checkout.Clone depth %d: %v", depth, err)
		}
		if res.Commit != s.Manifest().Commit {
			t.Errorf("checkout.Clone depth %d: commit %s, want %s", depth, res.Commit, s.Manifest().Commit)
		}
		if _, err := os.Stat(filepath.Join(dir, "hello.go")); err != nil {
			t.Errorf("checkout.Clone depth %d: %v", depth, err)
		}
	}
}

func TestTheGoCommandUsesTheServerAsItsModuleProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain: go test without -short runs it")
	}
	img := fixtureImage(t)
	s, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	if s.GitError() != nil {
		t.Fatalf("the server under test cannot serve git: %v", s.GitError())
	}
	dir := filepath.Join(t.TempDir(), "hello")
	run(t, "", nil, "git", "clone", "-q", url+"repo.git", dir)
	// What the lead's `setup URL` will do: Discover, then GoEnv.
	sp, err := room.Discover(context.Background(), url)
	must(t, err)
	// example.com/Upper is not among the image's modules: the user's own
	// GONOSUMDB names it.
	var vars []image.EnvVar
	for _, v := range sp.GoEnv(filepath.Join(t.TempDir(), "modcache"), "", "example.com/Upper") {
		vars = append(vars, image.EnvVar(v))
	}
	env := image.Environ(os.Environ(), vars)
	env = append(env, "GOWORK=off")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"go mod download fetches what go.sum names, and its hashes match", []string{"mod", "download", "-json", "example.com/greet"}, `"Version": "v1.0.0"`},
		{"go test builds with the downloaded module", []string{"test", "./..."}, "ok"},
		{"go list -m -versions lists every version", []string{"list", "-m", "-versions", "example.com/greet"}, "example.com/greet v1.0.0 v1.1.0 v1.2.0-pre"},
		{"go get @latest takes the highest release", []string{"get", "example.com/greet@latest"}, "upgraded example.com/greet v1.0.0 => v1.1.0"},
		{"a module path with a capital downloads", []string{"mod", "download", "-json", "example.com/Upper@v0.1.0"}, `"Version": "v0.1.0"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if out := run(t, dir, env, "go", tc.args...); !strings.Contains(out, tc.want) {
				t.Errorf("go %s:\n%s\nwant %q", strings.Join(tc.args, " "), out, tc.want)
			}
		})
	}
	cmd := exec.Command("go", "mod", "download", "example.com/missing@v1.0.0")
	cmd.Dir, cmd.Env = dir, env
	// 404 passes it on to the next proxy in the list, here "off".
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "module lookup disabled by GOPROXY=off") {
		t.Errorf("go mod download of a module the image lacks: %v\n%s\nwant it passed on to the next proxy, off", err, out)
	}
}

func TestGoEnvPutsTheServerFirstAndKeepsTheUsersSettings(t *testing.T) {
	sp := &Sprint{Modules: []string{"example.com/a", "example.com/b"}, URLs: URLs{GoProxy: "http://10.0.0.5:8765/mod"}}
	for _, tc := range []struct {
		name, modcache, proxy, nosum string
		want                         map[string]string
	}{
		{"without a proxy of the user's, nothing else is asked", "", "", "",
			map[string]string{"GOPROXY": "http://10.0.0.5:8765/mod,off", "GONOSUMDB": "example.com/a,example.com/b", "GOMODCACHE": ""}},
		{"the user's proxy comes after the server", "/c", "https://proxy.golang.org,direct", "corp.example",
			map[string]string{"GOPROXY": "http://10.0.0.5:8765/mod,https://proxy.golang.org,direct", "GONOSUMDB": "example.com/a,example.com/b,corp.example", "GOMODCACHE": "/c"}},
		{"a proxy that already starts with the server is kept", "", "http://10.0.0.5:8765/mod,direct", "",
			map[string]string{"GOPROXY": "http://10.0.0.5:8765/mod,direct"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]string{}
			for _, v := range sp.GoEnv(tc.modcache, tc.proxy, tc.nosum) {
				got[v.Key] = v.Value
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			if got["GOFLAGS"] != "-mod=mod -modcacherw" || got["GOTOOLCHAIN"] != "local" {
				t.Errorf("GOFLAGS %q, GOTOOLCHAIN %q", got["GOFLAGS"], got["GOTOOLCHAIN"])
			}
		})
	}
}

func TestServeStopsWhenItsContextEnds(t *testing.T) {
	img := fixtureImage(t)
	s, err := Open(context.Background(), Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	must(t, err)
	defer s.Close()
	ln, err := listenLoopback()
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	if code, _ := get(t, "http://"+ln.Addr().String()+"/sprint.json"); code != 200 {
		t.Fatalf("GET sprint.json: %d", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after its context ended: %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not stop within 10s of its context's end")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Errorf("the server still answers after Serve returned")
	}
}

func TestASlowClientIsCutOffAndOthersAreServed(t *testing.T) {
	defer func(d time.Duration) { readHeaderTime = d }(readHeaderTime)
	readHeaderTime = 500 * time.Millisecond
	img := fixtureImage(t)
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	host := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")
	// A client that sends half a request line and stops.
	c, err := dialLoopback(host)
	must(t, err)
	defer c.Close()
	c.Write([]byte("GET / HT"))
	code, body := get(t, url+"sprint.json")
	var sp Sprint
	if code != 200 || json.Unmarshal([]byte(body), &sp) != nil {
		t.Errorf("another client while one stalls: %d %q, want 200 and sprint.json", code, body)
	}
	// The stalled one is hung up on after the header timeout.
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	buf := make([]byte, 512)
	for {
		if _, err := c.Read(buf); err != nil {
			if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
				t.Fatalf("the stalled client was still connected after 10s")
			}
			break
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the stalled client was hung up on after %v, want about %v", d, readHeaderTime)
	}
}

func TestListenURLsGiveTheRoomEveryAddressThenLoopback(t *testing.T) {
	for _, tc := range []struct {
		name string
		addr *net.TCPAddr
		want func([]string) bool
	}{
		{"a loopback address is itself", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8765},
			func(u []string) bool { return len(u) == 1 && u[0] == "http://127.0.0.1:8765/" }},
		{"a specific IPv6 address is bracketed", &net.TCPAddr{IP: net.IPv6loopback, Port: 8765},
			func(u []string) bool { return len(u) == 1 && u[0] == "http://[::1]:8765/" }},
		{"every interface ends with loopback, after the others", &net.TCPAddr{IP: net.IPv4zero, Port: 8765},
			func(u []string) bool {
				last := u[len(u)-1]
				for _, x := range u[:len(u)-1] {
					if strings.Contains(x, "127.0.0.1") || strings.Contains(x, "[::1]") {
						return false
					}
				}
				return strings.HasPrefix(last, "http://127.") || last == "http://[::1]:8765/"
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ListenURLs(tc.addr); len(got) == 0 || !tc.want(got) {
				t.Errorf("ListenURLs(%v) = %v", tc.addr, got)
			}
		})
	}
}

func TestSprintJSONTakesItsHostOnlyWhenItIsPlain(t *testing.T) {
	img := fixtureImage(t)
	s, err := Open(context.Background(), Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	must(t, err)
	defer s.Close()
	for _, tc := range []struct{ name, host, want string }{
		{"a name and port is kept", "sprint.local:8765", "http://sprint.local:8765/repo.git"},
		{"an IPv6 address is kept", "[fd00::5]:8765", "http://[fd00::5]:8765/repo.git"},
		{"markup is not", `evil"><script>:80`, "http://127.0.0.1/repo.git"},
		{"a path is not", "host/x", "http://127.0.0.1/repo.git"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/sprint.json", nil)
			req.Host = tc.host
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, req)
			var sp Sprint
			must(t, json.Unmarshal(w.Body.Bytes(), &sp))
			if sp.URLs.Repo != tc.want {
				t.Errorf("Host %q: repo URL %q, want %q", tc.host, sp.URLs.Repo, tc.want)
			}
		})
	}
}

func TestTwentySprintersAtOnceAllGetTheImage(t *testing.T) {
	img := fixtureImage(t)
	s, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	if s.GitError() != nil {
		t.Fatalf("the server under test cannot serve git: %v", s.GitError())
	}
	zip, err := os.ReadFile(filepath.Join(img, filepath.FromSlash(image.ProxyDir), "example.com/greet/@v/v1.0.0.zip"))
	must(t, err)
	const n = 20 // more than MaxGit: the rest wait for a git process
	errs := make(chan error, n)
	for i := range n {
		go func() {
			dir := filepath.Join(t.TempDir(), "hello")
			res, err := checkout.Clone(context.Background(), checkout.Options{URL: url + "repo.git", Dir: dir})
			if err == nil && res.Commit != s.Manifest().Commit {
				err = fmt.Errorf("sprinter %d: commit %s, want %s", i, res.Commit, s.Manifest().Commit)
			}
			if err == nil {
				var resp *http.Response
				if resp, err = http.Get(url + "mod/example.com/greet/@v/v1.0.0.zip"); err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if string(b) != string(zip) {
						err = fmt.Errorf("sprinter %d: the zip differs (%d bytes, want %d)", i, len(b), len(zip))
					}
				}
			}
			errs <- err
		}()
	}
	for range n {
		select {
		case err := <-errs:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(2 * time.Minute):
			t.Fatal("20 sprinters did not finish within 2 minutes")
		}
	}
}
