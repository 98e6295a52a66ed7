package serve

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/sprintkit/sprintkit/internal/testkit/chrome"
	"github.com/sprintkit/sprintkit/report/templates"
)

func TestTheBoardWearsTheReportsStylesheetAndNamesItsBinariesPlatforms(t *testing.T) {
	img := fixtureImage(t)
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	want, err := templates.FS.ReadFile("style.css")
	must(t, err)
	code, css := get(t, url+"style.css")
	if code != 200 || css != string(want) {
		t.Fatalf("GET /style.css: %d, %d bytes; want the report's style.css (%d bytes)", code, len(css), len(want))
	}
	if !strings.Contains(css, "@media (prefers-color-scheme: dark)") {
		t.Error("the report's stylesheet has no dark theme")
	}
	_, page := get(t, url)
	host := "sprintkit for " + runtime.GOOS + "/" + runtime.GOARCH
	for _, s := range []string{`<link rel="stylesheet" href="style.css">`, `<meta name="color-scheme" content="light dark">`, `<header class="site">`, `>` + host + `</a>`} {
		if !strings.Contains(page, s) {
			t.Errorf("the board page lacks %s", s)
		}
	}
	if testing.Short() {
		return
	}
	// In a browser, the page takes the report's colours in either theme.
	tab, cancel := chrome.New(t, 1100, 800)
	defer cancel()
	for _, tt := range []struct{ scheme, bg string }{{"light", "rgb(255, 255, 255)"}, {"dark", "rgb(13, 17, 23)"}} {
		_, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: tt.scheme}}})
		must(t, err)
		must(t, chromedp.Do(tab, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#board"))))
		bg, err := chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
		must(t, err)
		if bg != tt.bg {
			t.Errorf("%s theme: the board's background is %s, want the report's %s", tt.scheme, bg, tt.bg)
		}
	}
}
