package serve

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/room"
)

func do(t *testing.T, method, url, token, body string) (int, string) {
	return doAs(t, method, url, token, "application/json", body)
}

func doAs(t *testing.T, method, url, token, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	must(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp.StatusCode, string(b)
}

func TestTheBoardTakesClaimsInTurn(t *testing.T) {
	img := fixtureImage(t)
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	steps := []struct {
		name, method, path, body string
		code                     int
		want                     string
	}{
		{"a free target is claimed", "POST", "claims", `{"target":"example.com/hello/url","name":"Ana","note":"parse first"}`, 201, `"name": "Ana"`},
		{"someone else's claim is refused and names who holds it", "POST", "claims", `{"target":"example.com/hello/url","name":"Bo"}`, 409, `"name": "Ana"`},
		{"the holder may change the note", "POST", "claims", `{"target":"example.com/hello/url","name":"Ana","note":"tests"}`, 201, `"note": "tests"`},
		{"the board lists the claim as JSON", "GET", "claims", "", 200, `"type": "claims"`},
		{"the landing page shows who is on what", "GET", "", "", 200, "Ana</span> since"},
		{"a target that is not in coverage.json is refused", "POST", "claims", `{"target":"example.com/nope","name":"Bo"}`, 404, "no target"},
		{"a claim without a name is refused", "POST", "claims", `{"target":"example.com/hello"}`, 400, "needs a name"},
		{"a name over the limit is refused", "POST", "claims", `{"target":"example.com/hello","name":"` + strings.Repeat("é", MaxName+1) + `"}`, 400, "longer than 64"},
		{"a note over the limit is refused", "POST", "claims", `{"target":"example.com/hello","name":"Bo","note":"` + strings.Repeat("x", MaxNote+1) + `"}`, 400, "longer than 280"},
		{"a control character is refused", "POST", "claims", `{"target":"example.com/hello","name":"Bo\u001b[31m"}`, 400, "control character"},
		{"a name made only of zero-width characters is refused", "POST", "claims", `{"target":"example.com/hello","name":"\u200b\u200c\u200d"}`, 400, "invisible or formatting character (U+200B)"},
		{"a name with a right-to-left override is refused", "POST", "claims", `{"target":"example.com/hello","name":"Bo\u202egnp.exe"}`, 400, "bidirectional control character (U+202E)"},
		{"a note with a bidirectional isolate is refused", "POST", "claims", `{"target":"example.com/hello","name":"Bo","note":"x\u2067y"}`, 400, "note holds a bidirectional control character (U+2067)"},
		{"a name of Hangul fillers shows nothing and is refused", "POST", "claims", `{"target":"example.com/hello","name":"\u3164\u3164"}`, 400, "shows nothing"},
		{"a name of accents alone shows nothing and is refused", "POST", "claims", `{"target":"example.com/hello","name":"\u0301\u0301"}`, 400, "shows nothing"},
		{"a body over the limit is refused", "POST", "claims", `{"target":"example.com/hello","name":"` + strings.Repeat("x", maxClaimBody+1) + `"}`, 413, "at most"},
		{"a body that is not JSON is refused", "POST", "claims", `target=x`, 400, "JSON object"},
		{"markup in a name is escaped in JSON", "POST", "claims", `{"target":"example.com/hello","name":"<script>alert(1)</script>"}`, 201, `\u003cscript\u003e`},
		{"markup in a name is escaped on the page", "GET", "", "", 200, "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"a claim is not released without its claimant's name", "DELETE", "claims/example.com/hello/url", "", 400, "needs the claimant's name"},
		{"a claim is not released by someone else", "DELETE", "claims/example.com/hello/url?as=Bo", "", 403, "only they, or the organiser"},
		{"a claim is released by its claimant", "DELETE", "claims/example.com/hello/url?as=Ana", "", 200, `"name": "Ana"`},
		{"a released target is free for the next", "POST", "claims", `{"target":"example.com/hello/url","name":"Bo"}`, 201, `"name": "Bo"`},
		{"releasing a free target says nobody has it", "DELETE", "claims/example.com/nope?as=Bo", "", 404, "nobody has claimed"},
	}
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		if code, body := doAs(t, "POST", url+"claims", "", ct, `{"target":"example.com/hello","name":"Eve"}`); code != http.StatusUnsupportedMediaType {
			t.Errorf("a claim sent as %q (which another site can make a browser send): %d %s, want 415", ct, code, body)
		}
	}
	for _, st := range steps {
		code, body := do(t, st.method, url+st.path, "", st.body)
		if code != st.code || !strings.Contains(body, st.want) {
			t.Errorf("%s: %s /%s: %d\n%s\nwant %d with %q", st.name, st.method, st.path, code, body, st.code, st.want)
		}
		if st.method == "GET" && st.path == "" && strings.Contains(body, "<script>alert") {
			t.Errorf("%s: the page holds raw markup from a name", st.name)
		}
	}
}

func TestATokenGuardsTheBoard(t *testing.T) {
	img := fixtureImage(t)
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db"), Token: "s3cret"})
	claim := `{"target":"example.com/hello","name":"Ana"}`
	for _, tc := range []struct {
		name, method, path, token, body string
		code                            int
	}{
		{"a claim without the token is refused", "POST", "claims", "", claim, 401},
		{"a claim with a wrong token is refused", "POST", "claims", "nope", claim, 401},
		{"a claim with the token is taken", "POST", "claims", "s3cret", claim, 201},
		{"the board is readable without the token", "GET", "claims", "", "", 200},
		{"a release without the token is refused", "DELETE", "claims/example.com/hello", "", "", 401},
		{"a release with the token is done", "DELETE", "claims/example.com/hello", "s3cret", "", 200},
	} {
		if code, body := do(t, tc.method, url+tc.path, tc.token, tc.body); code != tc.code {
			t.Errorf("%s: %d %s, want %d", tc.name, code, body, tc.code)
		}
	}
}

func TestTheClaimClientSaysWhoHoldsATarget(t *testing.T) {
	img := fixtureImage(t)
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db"), Token: "s3cret"})
	ctx := context.Background()
	c, err := room.PostClaim(ctx, url, "s3cret", Claim{Target: "example.com/hello/url", Name: "Ana"})
	if err != nil || c.Name != "Ana" || c.Since.IsZero() {
		t.Fatalf("PostClaim: %+v, %v", c, err)
	}
	_, err = room.PostClaim(ctx, url, "s3cret", Claim{Target: "example.com/hello/url", Name: "Bo"})
	var ce *ClaimedError
	if !errors.As(err, &ce) || ce.Claim.Name != "Ana" || !strings.Contains(hint.Of(err), "talk to Ana") {
		t.Errorf("PostClaim of a held target: %v (hint %q), want a *ClaimedError naming Ana", err, hint.Of(err))
	}
	if _, err := room.PostClaim(ctx, url, "", Claim{Target: "example.com/hello", Name: "Bo"}); err == nil || !strings.Contains(hint.Of(err), "--token") {
		t.Errorf("PostClaim without the token: %v (hint %q), want a hint about --token", err, hint.Of(err))
	}
	r, err := room.ReleaseClaim(ctx, url, "s3cret", "example.com/hello/url", "")
	if err != nil || r.Name != "Ana" {
		t.Errorf("ReleaseClaim: %+v, %v", r, err)
	}
}

func TestClaimsSurviveARestart(t *testing.T) {
	img := fixtureImage(t)
	db := filepath.Join(t.TempDir(), "c.db")
	s, err := Open(context.Background(), Options{Image: img, DB: db})
	must(t, err)
	rec := func(method, target, body string) int {
		req, _ := http.NewRequest(method, "http://sprint/"+target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := &recorder{h: http.Header{}}
		s.Handler().ServeHTTP(w, req)
		return w.code
	}
	if code := rec("POST", "claims", `{"target":"example.com/hello","name":"Ana"}`); code != 201 {
		t.Fatalf("claim: %d", code)
	}
	must(t, s.Close())
	s, err = Open(context.Background(), Options{Image: img, DB: db})
	must(t, err)
	defer s.Close()
	// While one server holds the database, a second one is refused.
	if _, err := OpenStore(db); err == nil || !strings.Contains(hint.Of(err), "another 'sprintkit serve'") {
		t.Errorf("a second OpenStore of a database in use: %v (hint %q), want a hint naming the other server", err, hint.Of(err))
	}
	cs, err := s.claims.All()
	if err != nil || len(cs) != 1 || cs[0].Name != "Ana" {
		t.Fatalf("after a restart: %+v, %v; want Ana's claim", cs, err)
	}
}

type recorder struct {
	h    http.Header
	code int
}

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(code int)        { r.code = code }

// TestClaimWriterChild is the child of TestAcknowledgedClaimsSurviveAKill:
// it claims target-0, target-1, … in $SPRINTKIT_CLAIMS_DB as fast as it
// can and prints "acked N" once each claim is committed.
func TestClaimWriterChild(t *testing.T) {
	db := os.Getenv("SPRINTKIT_CLAIMS_DB")
	if db == "" {
		t.Skip("the child of TestAcknowledgedClaimsSurviveAKill")
	}
	st, err := OpenStore(db)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	for i := 0; ; i++ {
		if _, err := st.Claim(Claim{Target: fmt.Sprintf("target-%d", i), Name: "writer", Note: strings.Repeat("n", 200)}, time.Now()); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Printf("acked %d\n", i)
	}
}

func TestAcknowledgedClaimsSurviveAKill(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestClaimWriterChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SPRINTKIT_CLAIMS_DB="+db)
		out, err := cmd.StdoutPipe()
		must(t, err)
		must(t, cmd.Start())
		acked := -1
		sc := bufio.NewScanner(out)
		deadline := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
		for sc.Scan() {
			var n int
			if _, err := fmt.Sscanf(sc.Text(), "acked %d", &n); err != nil {
				t.Fatalf("round %d: child: %s", round, sc.Text())
			}
			acked = n
			if acked == 40+round*17 {
				cmd.Process.Kill() // SIGKILL, in the middle of the next write
				break
			}
		}
		deadline.Stop()
		cmd.Wait()
		if acked < 0 {
			t.Fatalf("round %d: the child acknowledged nothing", round)
		}
		st, err := OpenStore(db)
		if err != nil {
			t.Fatalf("round %d: the database does not open after kill -9: %v", round, err)
		}
		cs, err := st.All()
		must(t, err)
		have := map[string]bool{}
		for _, c := range cs {
			have[c.Target] = true
		}
		for i := 0; i <= acked; i++ {
			if !have[fmt.Sprintf("target-%d", i)] {
				t.Errorf("round %d: acknowledged claim target-%d is missing after kill -9", round, i)
			}
		}
		// The next round claims the same targets again: release them all.
		for _, c := range cs {
			if _, _, err := st.Release(c.Target, ""); err != nil {
				t.Fatal(err)
			}
		}
		must(t, st.Close())
		t.Logf("round %d: %d acknowledged, %d on disk", round, acked+1, len(cs))
	}
}

func TestATargetWithSpacesAndAccentsIsClaimedAndReleased(t *testing.T) {
	img := fixtureImage(t)
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	ctx := context.Background()
	if _, err := room.PostClaim(ctx, url, "", Claim{Target: "odd dir/ünï%2F.py", Name: "Zoë"}); err != nil {
		t.Fatalf("PostClaim: %v", err)
	}
	r, err := room.ReleaseClaim(ctx, url, "", "odd dir/ünï%2F.py", "Zoë")
	if err != nil || r.Name != "Zoë" || r.Target != "odd dir/ünï%2F.py" {
		t.Fatalf("ReleaseClaim: %+v, %v", r, err)
	}
}

// TestNamesOthersCanRead takes the names people write and refuses the ones
// no one could read or tell apart on the board.
func TestNamesOthersCanRead(t *testing.T) {
	tests := []struct {
		name, claimName string
		ok              bool
	}{
		{"a plain name is taken", "Ana", true},
		{"accents, other scripts and a space are taken", "Zoë Ångström 李", true},
		{"an emoji is taken", "Bo 🐢", true},
		{"a zero-width space alone is refused", "\u200b", false},
		{"a zero-width joiner inside a name is refused", "An\u200da", false},
		{"a byte order mark is refused", "\ufeffAna", false},
		{"a left-to-right mark is refused", "Ana\u200e", false},
		{"a right-to-left override is refused", "\u202eanA", false},
		{"a no-break space (not printable) is refused", "Ana\u00a0Bo", false},
		{"a Hangul filler alone is refused", "\u3164", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Claim{Target: "example.com/hello", Name: tc.claimName}
			err := CheckClaim(&c)
			if (err == nil) != tc.ok {
				t.Errorf("CheckClaim(%q) = %v, want ok %v", tc.claimName, err, tc.ok)
			}
		})
	}
}
