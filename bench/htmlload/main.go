// Command htmlload measures how long pages take to load in headless
// Chromium: for each round and each page in turn (interleaved), it opens
// the page from file:// in a fresh tab and reads the navigation timing
// (navigation start to the end of the load event). It prints one line per
// page with the median, min and max in milliseconds, and the size.
//
//	htmlload -rounds 3 site/index.html site/src/big.html x.html
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	rounds := flag.Int("rounds", 3, "loads of each page")
	bin := flag.String("chromium", "", "Chromium binary (default: chromium on PATH)")
	timeout := flag.Duration("timeout", 3*time.Minute, "time limit of one load")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: htmlload [-rounds N] page.html...")
		os.Exit(2)
	}
	if err := run(*bin, *rounds, *timeout, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "htmlload:", err)
		os.Exit(1)
	}
}

func run(bin string, rounds int, timeout time.Duration, pages []string) error {
	if bin == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				bin = p
				break
			}
		}
	}
	if bin == "" {
		return fmt.Errorf("no chromium binary found")
	}
	profile, err := os.MkdirTemp("", "htmlload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 900))
	defer cancel()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	if err := chromedp.Do(bctx); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	times := make([][]float64, len(pages))
	for r := 0; r < rounds; r++ {
		for i, p := range pages {
			ms, err := load(bctx, p, timeout)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			times[i] = append(times[i], ms)
		}
	}
	for i, p := range pages {
		ts := times[i]
		sort.Float64s(ts)
		fi, _ := os.Stat(p)
		fmt.Printf("%-60s %8.0f ms median (min %.0f, max %.0f, %d loads), %.0f KB\n",
			filepath.Base(p), ts[len(ts)/2], ts[0], ts[len(ts)-1], len(ts), float64(fi.Size())/1e3)
	}
	return nil
}

// load opens p in a new tab and returns navigation start to load event end.
func load(bctx context.Context, p string, timeout time.Duration) (float64, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return 0, err
	}
	tctx, cancel := chromedp.NewContext(bctx) // a fresh tab
	defer cancel()
	ctx, cancelT := context.WithTimeout(tctx, timeout)
	defer cancelT()
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		return 0, err
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](
		`(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime })()`))
	if err != nil {
		return 0, err
	}
	var ms float64
	if err := json.Unmarshal(raw, &ms); err != nil {
		return 0, err
	}
	return ms, nil
}
