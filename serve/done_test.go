package serve

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sprintkit/sprintkit/internal/testkit/chrome"
	"github.com/sprintkit/sprintkit/room"
)

// doneCredit is what `claim --done` posts for a test of one function.
var doneCredit = &room.Credit{NewlyCovered: 3, PercentBefore: 14.3, Percent: 15.7,
	Functions: []room.CreditFunction{{Name: "Parse", File: "url.go", Gained: 3, Covered: 3, Statements: 3}},
	Tests:     []string{"TestParse"}}

const doneFigure = "+3 statements (14.3% → 15.7%), Parse now fully covered; 1 test (TestParse)"

func TestADoneClaimShowsItsCreditOnTheBoard(t *testing.T) {
	img := fixtureImage(t)
	ctx := context.Background()
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	const target = "example.com/hello/url"
	claimed, err := room.PostClaim(ctx, url, "", Claim{Target: target, Name: "Ana"})
	must(t, err)
	then := time.Now()
	steps := []struct {
		name    string
		claim   Claim
		wantErr string // "" when the server takes it
	}{
		{"someone else cannot say the claim is done", Claim{Target: target, Name: "Bo", Done: &then, Credit: doneCredit}, "already claimed by Ana"},
		{"a credit without done is refused", Claim{Target: target, Name: "Ana", Credit: doneCredit}, "a credit comes with done"},
		{"a credit out of range is refused", Claim{Target: target, Name: "Ana", Done: &then, Credit: &room.Credit{Percent: 140}}, "between 0 and 100"},
		{"the claimant says it is done, with the credit", Claim{Target: target, Name: "Ana", Done: &then, Credit: doneCredit}, ""},
		{"a later claim by the claimant keeps the credit", Claim{Target: target, Name: "Ana", Note: "next: the errors"}, ""},
	}
	for _, st := range steps {
		_, err := room.PostClaim(ctx, url, "", st.claim)
		switch {
		case st.wantErr == "" && err != nil:
			t.Fatalf("%s: %v", st.name, err)
		case st.wantErr != "" && (err == nil || !strings.Contains(err.Error(), st.wantErr)):
			t.Fatalf("%s: error %v, want %q", st.name, err, st.wantErr)
		}
	}

	code, body := get(t, url+"claims")
	var b Board
	must(t, json.Unmarshal([]byte(body), &b))
	if code != 200 || len(b.Claims) != 1 {
		t.Fatalf("GET /claims: %d %s", code, body)
	}
	c := b.Claims[0]
	if c.Done == nil || c.Done.Before(claimed.Since) || !c.Since.Equal(claimed.Since) || c.Note != "next: the errors" {
		t.Errorf("the board's claim: since %v (claimed %v), done %v, note %q", c.Since, claimed.Since, c.Done, c.Note)
	}
	if c.Credit == nil || c.Credit.String() != doneFigure {
		t.Errorf("the board's credit = %+v, want %s", c.Credit, doneFigure)
	}
	for _, want := range []string{`"done": "`, `"credit": {`, `"newly_covered": 3`, `"percent_before": 14.3`, `"tests": [`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /claims lacks %s:\n%s", want, body)
		}
	}
	_, page := get(t, url)
	// html/template writes + as &#43;, which a browser shows as +.
	if want := "<strong>done</strong> · " + strings.ReplaceAll(doneFigure, "+", "&#43;"); !strings.Contains(page, want) {
		t.Errorf("the board page lacks %q:\n%s", want, page)
	}
	if testing.Short() {
		return
	}
	// In a browser, the row of the target reads the figure beside the claim.
	tab, cancel := chrome.New(t, 1100, 800)
	defer cancel()
	row := `#board tr[data-target="` + target + `"] .credit`
	must(t, chromedp.Do(tab, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(row))))
	got, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(row)))
	must(t, err)
	if want := "done · " + doneFigure; strings.TrimSpace(got) != want {
		t.Errorf("the browser shows %q beside the claim, want %q", got, want)
	}
}
