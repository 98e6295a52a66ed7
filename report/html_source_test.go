package report

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/coverage"
)

// oneFileResult is a result of one file at rel in root with one line-based
// block per given line, as the importers produce.
func oneFileResult(root, rel string, lines ...int) *coverage.Result {
	f := &coverage.File{Path: rel, Rel: rel}
	for _, l := range lines {
		f.Blocks = append(f.Blocks, cover.ProfileBlock{StartLine: l, EndLine: l, NumStmt: 1})
	}
	r := &coverage.Result{Project: "p", Root: root, Language: "lcov",
		Packages: []*coverage.Package{{Name: ".", Dir: ".", Files: []*coverage.File{f}}}}
	r.Finalize()
	return r
}

// siteHolds reports the files of the site at dir that contain s.
func siteHolds(t *testing.T, dir, s string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(s)) {
			found = append(found, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestHTMLReadsSourcesOnlyInsideTheCheckout(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	const secret = "SECRET-7f3a91 do not publish"
	tests := []struct {
		name    string
		setup   func(t *testing.T, root, outside string) (rel string) // returns the file's Rel
		shown   bool                                                  // the source is on the page
		page    string                                                // the page says
		warning string                                                // a warning says; "" for none
	}{
		{
			name: "a symlink inside the checkout to a file outside is not followed",
			setup: func(t *testing.T, root, outside string) string {
				must(t, os.Symlink(filepath.Join(outside, "s.txt"), filepath.Join(root, "notes.txt")))
				return "notes.txt"
			},
			page:    "notes.txt is outside the checkout (a symlink leads out of it), so its source is not shown",
			warning: "notes.txt resolves to " + "OUTSIDE/s.txt, outside the checkout; its source is left out of the report",
		},
		{
			name: "a symlinked directory leading out of the checkout is not followed",
			setup: func(t *testing.T, root, outside string) string {
				must(t, os.Symlink(outside, filepath.Join(root, "lib")))
				return "lib/s.txt"
			},
			page:    "lib/s.txt is outside the checkout",
			warning: "lib/s.txt resolves to OUTSIDE/s.txt, outside the checkout",
		},
		{
			name: "a chain of symlinks that ends outside is not followed",
			setup: func(t *testing.T, root, outside string) string {
				must(t, os.Symlink(filepath.Join(outside, "s.txt"), filepath.Join(root, "hop2")))
				must(t, os.Symlink("hop2", filepath.Join(root, "hop1")))
				return "hop1"
			},
			page:    "hop1 is outside the checkout",
			warning: "hop1 resolves to OUTSIDE/s.txt",
		},
		{
			name: "a path that climbs out with .. is refused",
			setup: func(t *testing.T, root, outside string) string {
				return "../outside/s.txt"
			},
			page:    "../outside/s.txt is outside the checkout",
			warning: "../outside/s.txt resolves to OUTSIDE/s.txt",
		},
		{
			name: "an absolute path outside the checkout is refused as before",
			setup: func(t *testing.T, root, outside string) string {
				return filepath.ToSlash(filepath.Join(outside, "s.txt"))
			},
			page: "could not be read (no such file)",
		},
		{
			name: "a symlink to a file inside the checkout is read",
			setup: func(t *testing.T, root, outside string) string {
				must(t, os.WriteFile(filepath.Join(root, "real.txt"), []byte(secret+"\n"), 0o644))
				must(t, os.Symlink("real.txt", filepath.Join(root, "alias.txt")))
				return "alias.txt"
			},
			shown: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			root, outside := filepath.Join(base, "checkout"), filepath.Join(base, "outside")
			must(t, os.Mkdir(root, 0o755))
			must(t, os.Mkdir(outside, 0o755))
			must(t, os.WriteFile(filepath.Join(outside, "s.txt"), []byte(secret+"\n"), 0o644))
			rel := tt.setup(t, root, outside)
			var warnings []string
			dir := writeSite(t, oneFileResult(root, rel, 1), nil, HTMLOptions{Warn: func(m string) { warnings = append(warnings, m) }})
			found := siteHolds(t, dir, secret)
			if tt.shown != (len(found) > 0) {
				t.Fatalf("the source is in %v, want shown=%v", found, tt.shown)
			}
			page := readPages(t, dir)[pageOfRel(t, dir, rel)]
			if tt.page != "" && !strings.Contains(page, htmlText(tt.page)) {
				t.Errorf("the page does not say %q:\n%s", tt.page, page)
			}
			realOutside, _ := filepath.EvalSymlinks(outside)
			want := strings.ReplaceAll(tt.warning, "OUTSIDE", realOutside)
			switch {
			case want == "" && len(warnings) > 0:
				t.Errorf("warnings %q, want none", warnings)
			case want != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], want)):
				t.Errorf("warnings %q, want one saying %q", warnings, want)
			}
		})
	}
}

func TestHTMLShowsSourcesOfACheckoutReachedThroughASymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	base := t.TempDir()
	real := filepath.Join(base, "real")
	must(t, os.Mkdir(real, 0o755))
	must(t, os.WriteFile(filepath.Join(real, "a.txt"), []byte("shown-line\n"), 0o644))
	link := filepath.Join(base, "link")
	must(t, os.Symlink(real, link))
	dir := writeSite(t, oneFileResult(link, "a.txt", 1), nil, HTMLOptions{})
	if found := siteHolds(t, dir, "shown-line"); len(found) == 0 {
		t.Errorf("the source of a checkout named through a symlink is not shown")
	}
}

// A block on line 2,000,000,000 of a 3-line file once sized a table of two
// billion lines (16 GiB); now the table has one entry per source line and
// the page and a warning say the data reaches past the end.
func TestHTMLBlockPastTheSourceIsAWarningNotAnAllocation(t *testing.T) {
	root := t.TempDir()
	must(t, os.WriteFile(filepath.Join(root, "a.go"), []byte("package a\n\nvar X = 1\n"), 0o644))
	r := oneFileResult(root, "a.go", 3, 2000000000)
	var warnings []string
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	dir := writeSite(t, r, nil, HTMLOptions{Workers: 1, Warn: func(m string) { warnings = append(warnings, m) }})
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("writing the site allocated %d bytes, want well under 64 MiB", alloc)
	}
	page := readPages(t, dir)[pageOfRel(t, dir, "a.go")]
	if !strings.Contains(page, "The coverage data reaches line 2000000000 but the source has 3 lines") {
		t.Errorf("the page does not note the block past the end:\n%s", page)
	}
	if !strings.Contains(numberRows(page), "<li id=L3 class=u>") {
		t.Errorf("line 3 is not marked uncovered:\n%s", page)
	}
	want := "a.go: the coverage data reaches line 2000000000 but the source has 3 lines; lines past 3 are left out of its page"
	if len(warnings) != 1 || warnings[0] != want {
		t.Errorf("warnings %q, want [%q]", warnings, want)
	}
}

func TestHTMLKeepsTheModeOfAnExistingDirectory(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	root := t.TempDir()
	must(t, os.WriteFile(filepath.Join(root, "a.txt"), []byte("x\n"), 0o644))
	r := oneFileResult(root, "a.txt", 1)
	// What os.Mkdir makes of 0755 under this process's umask.
	probe := filepath.Join(t.TempDir(), "probe")
	must(t, os.Mkdir(probe, 0o755))
	fi, err := os.Stat(probe)
	must(t, err)
	fresh := fi.Mode().Perm()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  fs.FileMode
	}{
		{"an empty 0700 directory stays 0700", func(t *testing.T, dir string) { mkdirMode(t, dir, 0o700) }, 0o700},
		{"an empty 0750 directory stays 0750", func(t *testing.T, dir string) { mkdirMode(t, dir, 0o750) }, 0o750},
		{"a read-only 0500 directory stays 0500 and gets the site", func(t *testing.T, dir string) { mkdirMode(t, dir, 0o500) }, 0o500},
		{"a previous report in a 0700 directory stays 0700", func(t *testing.T, dir string) {
			if _, err := HTML(context.Background(), dir, r, nil, HTMLOptions{}); err != nil {
				t.Fatal(err)
			}
			must(t, os.Chmod(dir, 0o700))
		}, 0o700},
		{"a new directory gets 0755 less the umask", func(t *testing.T, dir string) {}, fresh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "site")
			tt.setup(t, dir)
			t.Cleanup(func() { os.Chmod(dir, 0o700) }) // so that a 0500 dir can be removed
			if _, err := HTML(context.Background(), dir, r, nil, HTMLOptions{}); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(dir)
			must(t, err)
			if got := fi.Mode().Perm(); got != tt.want {
				t.Errorf("mode %04o, want %04o", got, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
				t.Errorf("no index.html: %v", err)
			}
			assertNoLeftovers(t, filepath.Dir(dir), "site")
		})
	}
}

func mkdirMode(t *testing.T, dir string, mode fs.FileMode) {
	t.Helper()
	must(t, os.Mkdir(dir, mode))
	must(t, os.Chmod(dir, mode)) // whatever the umask
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// pageOfRel finds the page of the only file of a site by its name.
func pageOfRel(t *testing.T, dir, rel string) string {
	t.Helper()
	for name, text := range readPages(t, dir) {
		if strings.HasPrefix(name, "src/") && strings.Contains(text, htmlText(rel)) {
			return name
		}
	}
	t.Fatalf("no page for %s", rel)
	return ""
}

// htmlText escapes s as html/template writes text.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

// Directories are resolved once per site (readSource): the files of one
// directory, and of a symlinked directory, must each still be checked, so
// a symlink to a file outside, in a directory already found to be inside,
// is refused, and a symlinked directory inside the checkout is read.
func TestHTMLChecksEveryFileOfADirectoryResolvedOnce(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	const secret = "SECRET-5be210 do not publish"
	base := t.TempDir()
	root, outside := filepath.Join(base, "checkout"), filepath.Join(base, "outside")
	must(t, os.MkdirAll(filepath.Join(root, "pkg"), 0o755))
	must(t, os.Mkdir(outside, 0o755))
	must(t, os.WriteFile(filepath.Join(outside, "s.txt"), []byte(secret+"\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "pkg", "plain.txt"), []byte("PLAIN-1\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "pkg", "other.txt"), []byte("OTHER-2\n"), 0o644))
	must(t, os.Symlink("pkg", filepath.Join(root, "alias")))
	must(t, os.Symlink(filepath.Join(outside, "s.txt"), filepath.Join(root, "pkg", "leak.txt")))
	must(t, os.Symlink(outside, filepath.Join(root, "out")))
	realOutside, err := filepath.EvalSymlinks(outside)
	must(t, err)

	tests := []struct {
		rel     string
		page    string // the page says
		warning string // a warning says; "" for none
	}{
		{rel: "pkg/plain.txt", page: "PLAIN-1"},
		{rel: "alias/other.txt", page: "OTHER-2"},
		{rel: "pkg/leak.txt", page: "pkg/leak.txt is outside the checkout (a symlink leads out of it)",
			warning: "pkg/leak.txt resolves to " + filepath.Join(realOutside, "s.txt") + ", outside the checkout"},
		{rel: "out/s.txt", page: "out/s.txt is outside the checkout (a symlink leads out of it)",
			warning: "out/s.txt resolves to " + filepath.Join(realOutside, "s.txt") + ", outside the checkout"},
		{rel: "pkg/gone.txt", page: "pkg/gone.txt could not be read (no such file)"},
	}
	pkg := &coverage.Package{Name: ".", Dir: "."}
	for _, tt := range tests {
		pkg.Files = append(pkg.Files, &coverage.File{Path: tt.rel, Rel: tt.rel,
			Blocks: []cover.ProfileBlock{{StartLine: 1, EndLine: 1, NumStmt: 1}}})
	}
	r := &coverage.Result{Project: "p", Root: root, Language: "lcov", Packages: []*coverage.Package{pkg}}
	r.Finalize()
	var warnings []string
	dir := writeSite(t, r, nil, HTMLOptions{Warn: func(m string) { warnings = append(warnings, m) }})
	if found := siteHolds(t, dir, secret); len(found) > 0 {
		t.Errorf("the source outside the checkout is in %v", found)
	}
	pages := readPages(t, dir)
	var want []string
	for _, tt := range tests {
		page := pages[pageOfRel(t, dir, tt.rel)]
		if !strings.Contains(page, htmlText(tt.page)) {
			t.Errorf("the page of %s does not say %q:\n%s", tt.rel, tt.page, page)
		}
		if tt.warning != "" {
			want = append(want, tt.warning)
		}
	}
	if len(warnings) != len(want) {
		t.Errorf("warnings %q, want %d", warnings, len(want))
	}
	for _, w := range want {
		found := false
		for _, got := range warnings {
			found = found || strings.Contains(got, w)
		}
		if !found {
			t.Errorf("no warning says %q; warnings %q", w, warnings)
		}
	}
}

// numberRows gives the rows of a page's source listing back the ids site.js
// gives them in the browser (row n is line n: <li id=Ln ...>), so that a
// test can say which line a row is.
func numberRows(page string) string {
	const open = `<ol class="source">`
	head, rest, ok := strings.Cut(page, open)
	if !ok {
		return page
	}
	rows, tail, _ := strings.Cut(rest, "</ol>")
	var b strings.Builder
	b.WriteString(head + open)
	parts := strings.Split(rows, "<li")
	b.WriteString(parts[0])
	for i, p := range parts[1:] {
		b.WriteString("<li id=L" + strconv.Itoa(i+1))
		if !strings.HasPrefix(p, ">") {
			b.WriteString(" ")
			p = strings.TrimPrefix(p, " ")
		}
		b.WriteString(p)
	}
	return b.String() + "</ol>" + tail
}
