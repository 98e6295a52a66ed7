package coverage

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodProjectFile = `# The sprint of 2026-12.
exclude = ["m/gen/**", "m/internal/legacy"]
test_support = ["m/internal/fixtures/**"]

[[target]]
path = "m/url/escape.go"
note = "escape has no test for %-encoded UTF-8"

[[target]]
name = "m/big"
note = "ask Ana first"
`

func TestParseProjectFile(t *testing.T) {
	pf, err := ParseProjectFile("sprintkit.toml", strings.NewReader(goodProjectFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pf.Exclude, " ") != "m/gen/** m/internal/legacy" || strings.Join(pf.TestSupport, " ") != "m/internal/fixtures/**" {
		t.Errorf("exclude %q, test_support %q", pf.Exclude, pf.TestSupport)
	}
	if len(pf.Targets) != 2 || pf.Targets[0].Path != "m/url/escape.go" || pf.Targets[1].Name != "m/big" ||
		pf.Targets[1].Note != "ask Ana first" || pf.Targets[0].line != 5 || pf.Targets[1].line != 9 {
		t.Errorf("targets %+v", pf.Targets)
	}
}

func TestParseProjectFileReadsTheBaselineFlags(t *testing.T) {
	pf, err := ParseProjectFile("sprintkit.toml", strings.NewReader("[baseline]\ngo_test_flags = [\"-short\", \"-tags=integration\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(pf.Baseline.GoTestFlags, " "); got != "-short -tags=integration" {
		t.Errorf("go_test_flags = %q", got)
	}
}

func TestParseProjectFileErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name string
		toml string
		want string
	}{
		{"an unknown top-level key is an error",
			"exclude = []\nexclud = [\"gen/**\"]\n",
			`sprintkit.toml:2: unknown key "exclud" (known: exclude, test_support, [[target]] with path, name and note, [baseline] with go_test_flags, [room] with size)`},
		{"an unknown key in a target is an error",
			"exclude = [\"gen/**\"]\n\n[[target]]\npath = \"a.go\"\nnotes = \"x\"\n",
			`sprintkit.toml:5: unknown key "target.notes" (known: exclude, test_support, [[target]] with path, name and note, [baseline] with go_test_flags, [room] with size)`},
		{"a go test flag sprintkit sets itself is refused with its line",
			"[baseline]\ngo_test_flags = [\n  \"-short\",\n  \"-coverpkg=./...\",\n]\n",
			`sprintkit.toml:4: baseline.go_test_flags: "-coverpkg=./..." is not one sprintkit lets a project set (allowed: -short, -run, -tags, -count, -cpu, -p, -parallel, -race, -shuffle, -failfast)`},
		{"a word that is not a flag is refused",
			"[baseline]\ngo_test_flags = [\"short\"]\n",
			`sprintkit.toml:2: baseline.go_test_flags: "short" is not a flag: write each as "-name" or "-name=value"`},
		{"a string where a list belongs is the wrong type",
			"# curated\nexclude = \"gen/**\"\n",
			`sprintkit.toml:2: exclude: wrong type, want a list of path patterns, such as ["gen/**"]`},
		{"a number where a path belongs is the wrong type",
			"[[target]]\npath = 3\n",
			`sprintkit.toml:2: target.path: wrong type, want a string: a file or directory relative to the root`},
		{"a plain [target] table is checked like a [[target]]",
			"exclude = []\n[target]\nnote = \"x\"\n",
			`sprintkit.toml:2: [[target]] needs path or name`},
		{"a string where target tables belong is the wrong type",
			"target = \"url\"\n",
			`sprintkit.toml:1: target: wrong type, want [[target]] tables with path or name, and note`},
		{"a bad glob names the line of the pattern",
			"test_support = [\n  \"ok/**\",\n  \"bad/[\",\n]\n",
			`sprintkit.toml:3: test_support: bad path pattern "bad/["`},
		{"an absolute path is refused",
			"exclude = [\"/gen\"]\n",
			`sprintkit.toml:1: exclude: "/gen": want a slash-separated path relative to the repository root`},
		{"a target without path or name names its header's line",
			"exclude = []\n\n[[target]]\nnote = \"x\"\n",
			`sprintkit.toml:3: [[target]] needs path or name`},
		{"a target with both path and name is refused",
			"[[target]]\npath = \"a.go\"\n\n[[target]]\npath = \"b.go\"\nname = \"m/b\"\n",
			`sprintkit.toml:4: [[target]] takes path or name, not both`},
		{"a syntax error names its line",
			"exclude = [\n  \"a\"\n  \"b\"\n]\n",
			`sprintkit.toml:3: expected ',' or ']' after array value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf, err := ParseProjectFile("sprintkit.toml", strings.NewReader(tt.toml))
			if err == nil {
				t.Fatalf("no error, parsed %+v", pf)
			}
			var pe *ProjectFileError
			if !errors.As(err, &pe) || pe.Line == 0 {
				t.Errorf("error %T %v is not a ProjectFileError with a line", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got  %s\n want %s", err, tt.want)
			}
		})
	}
}

func TestLoadProjectFile(t *testing.T) {
	dir := t.TempDir()
	pf, err := LoadProjectFile(dir)
	if pf != nil || err != nil {
		t.Errorf("without sprintkit.toml: %+v, %v; want nil, nil", pf, err)
	}
	name := filepath.Join(dir, ProjectFileName)
	if err := os.WriteFile(name, []byte("exclude = [\"gen\"]\nbogus = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadProjectFile(dir); err == nil || !strings.HasPrefix(err.Error(), name+":2: unknown key \"bogus\"") {
		t.Errorf("bad file: %v", err)
	}
	if err := os.WriteFile(name, []byte(goodProjectFile), 0o644); err != nil {
		t.Fatal(err)
	}
	pf, err = LoadProjectFile(dir)
	if err != nil || pf == nil || pf.File != name || len(pf.Targets) != 2 {
		t.Errorf("good file: %+v, %v", pf, err)
	}
}

// curatedResult has a package for each rule of goodProjectFile.
func curatedResult() *Result {
	return result(
		pkg("m/big", map[string][]fnSpec{"a.go": {{"A", 12, 0}, {"B", 12, 0}, {"C", 12, 0}}}),
		pkg("m/url", map[string][]fnSpec{
			"parse.go":  {{"parseQuery", 8, 0}, {"Parse", 12, 0}},
			"escape.go": {{"escape", 3, 0}},
		}),
		pkg("m/gen", map[string][]fnSpec{"types.go": {{"Marshal", 200, 0}}}),
		pkg("m/internal/legacy", map[string][]fnSpec{"old.go": {{"Old", 90, 0}}}),
		pkg("m/internal/fixtures", map[string][]fnSpec{"f.go": {{"Load", 15, 0}, {"Save", 15, 0}}}),
		pkg("m/lib", map[string][]fnSpec{"lib.go": {{"Do", 15, 0}, {"Undo", 15, 0}}}),
	)
}

func TestRankHonoursTheProjectFile(t *testing.T) {
	pf, err := ParseProjectFile("sprintkit.toml", strings.NewReader(goodProjectFile))
	if err != nil {
		t.Fatal(err)
	}
	names := func(ts []Target) string {
		var out []string
		for _, tg := range ts {
			out = append(out, tg.Name)
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		name  string
		by    string
		top   int
		order string
	}{
		{"pinned packages rank first in the file's order, then the rest by score, without excluded paths",
			"package", 0, "m/url m/big m/lib m/internal/fixtures"},
		{"a pinned file ranks first in the file view, then the files of the pinned package",
			"file", 0, "m/url/escape.go m/big/a.go m/lib/lib.go m/url/parse.go m/internal/fixtures/f.go"},
		{"the functions of a pinned file and package rank first in the function view",
			"function", 5, "url.escape big.A big.B big.C lib.Do"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := Rank(curatedResult(), RankOptions{By: tt.by, Top: tt.top, Project: pf})
			if got := names(ts); got != tt.order {
				t.Errorf("order\n got  %s\n want %s", got, tt.order)
			}
			for _, tg := range ts {
				pinned := tg.Name == "m/url" || tg.Name == "m/url/escape.go" || tg.Name == "url.escape" || tg.Package == "m/big"
				if tg.Pinned != pinned {
					t.Errorf("%s: pinned = %v", tg.Name, tg.Pinned)
				}
				if pinned && (tg.Note == "" || !strings.HasPrefix(tg.Reason, "pinned in sprintkit.toml")) {
					t.Errorf("%s: pinned without its note or reason: %+v", tg.Name, tg)
				}
				if !pinned && tg.Note != "" {
					t.Errorf("%s: unpinned with a note %q", tg.Name, tg.Note)
				}
			}
		})
	}

	byName := map[string]Target{}
	for _, tg := range Rank(curatedResult(), RankOptions{Project: pf}) {
		byName[tg.Name] = tg
	}
	if got := byName["m/url"].Note; got != "escape has no test for %-encoded UTF-8" {
		t.Errorf("m/url note = %q", got)
	}
	fix, lib := byName["m/internal/fixtures"], byName["m/lib"]
	if !strings.Contains(fix.Reason, "test-support code (sprintkit.toml test_support), weighted down") ||
		math.Abs(fix.Score-supportWeight*lib.Score) > 0.11 {
		t.Errorf("fixtures (same code as m/lib) should weigh %v of m/lib's %v: %v, %q", supportWeight, lib.Score, fix.Score, fix.Reason)
	}
}

func TestProjectFileApplyLeavesExcludedPathsOut(t *testing.T) {
	pf, err := ParseProjectFile("sprintkit.toml", strings.NewReader(goodProjectFile))
	if err != nil {
		t.Fatal(err)
	}
	r := curatedResult()
	before := r.Total
	pf.Apply(r)
	for _, p := range r.Packages {
		if p.Name == "m/gen" || p.Name == "m/internal/legacy" {
			t.Errorf("excluded package %s is still in the result", p.Name)
		}
	}
	if r.Total.Statements != before.Statements-290 {
		t.Errorf("total %d statements, want %d without the 290 excluded", r.Total.Statements, before.Statements-290)
	}
	if len(r.Warnings) != 1 || r.Warnings[0] != "sprintkit.toml excludes 2 files (290 statements); the totals are of the rest" {
		t.Errorf("warnings %q", r.Warnings)
	}
	var none *ProjectFile
	r2 := curatedResult()
	none.Apply(r2)
	if len(r2.Packages) != 6 || len(r2.Warnings) != 0 {
		t.Errorf("a nil project file changed the result")
	}
}

// FuzzParseProjectFile checks that no input panics the parser and that
// every error names the file.
func FuzzParseProjectFile(f *testing.F) {
	f.Add(goodProjectFile)
	f.Add("exclude = [\"[\"]\n[[target]]\n")
	f.Add("[target]\nname = 1\n")
	f.Add("exclude = [\n")
	f.Fuzz(func(t *testing.T, s string) {
		pf, err := ParseProjectFile("sprintkit.toml", strings.NewReader(s))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sprintkit.toml") {
				t.Errorf("error without the file's name: %v", err)
			}
			return
		}
		r := curatedResult()
		pf.Apply(r)
		Rank(r, RankOptions{Project: pf})
	})
}
