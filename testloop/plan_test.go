package testloop

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/project"
)

func TestPlan(t *testing.T) {
	dir := writeFixture(t)
	g, err := LoadGraph(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		all     bool
		changed []string
		carry   []string // packages of a run still going
		want    string   // packages without the module prefix; "-" for no run
		edited  string   // the packages tested first; "" when the run is not split
	}{
		{"a Go file runs its package and the importers, its package first", false, []string{"b/b.go"}, nil, "b c e", "b"},
		{"test data runs the package above it, that package first", false, []string{"a/testdata/in.txt"}, nil, "a b c e g", "a"},
		{"go.mod runs everything in one go test", false, []string{"go.mod"}, nil, "a b c d e f g", ""},
		{"--all runs everything for any Go change, the changed package first", true, []string{"d/d.go"}, nil, "a b c d e f g", "d"},
		{"a file outside every package runs nothing", false, []string{"tools/gen.go"}, nil, "-", ""},
		{"a file outside every package leaves a running run alone", false, []string{"tools/gen.go"}, []string{"example.com/m/d"}, "-", ""},
		{"a run still going is folded into the next, after the new change", false, []string{"c/c.go"}, []string{"example.com/m/d"}, "c d", "c"},
		{"a package nothing imports is not split from itself", false, []string{"d/d.go"}, nil, "d", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &loop{root: dir, kind: kindGo, graph: g, opts: Options{All: tt.all}}
			var changed []string
			for _, c := range tt.changed {
				changed = append(changed, filepath.Join(dir, filepath.FromSlash(c)))
			}
			run, ok := l.plan(context.Background(), changed, Run{Packages: tt.carry})
			got := "-"
			if ok {
				var short []string
				for _, p := range run.Packages {
					short = append(short, strings.TrimPrefix(p, "example.com/m/"))
				}
				got = strings.Join(short, " ")
			}
			if got != tt.want {
				t.Errorf("plan(%v) = %s, want %s", tt.changed, got, tt.want)
			}
			var edited []string
			for _, p := range run.Edited {
				edited = append(edited, strings.TrimPrefix(p, "example.com/m/"))
			}
			if got := strings.Join(edited, " "); ok && got != tt.edited {
				t.Errorf("plan(%v) tests %q first, want %q", tt.changed, got, tt.edited)
			}
		})
	}
}

func TestRelevantChanges(t *testing.T) {
	l := &loop{root: "/src/m", kind: kindGo}
	for path, want := range map[string]bool{
		"/src/m/a/a.go":              true,
		"/src/m/go.mod":              true,
		"/src/m/a/testdata/x.json":   true,
		"/src/m/README.md":           false,
		"/src/m/a/.a.go.swp":         false,
		"/src/m/.tmp/go-build1/x.go": false, // a TMPDIR inside the checkout
		"/src/m/_attic/old.go":       false,
	} {
		if got := l.relevant(path); got != want {
			t.Errorf("relevant(%s) = %v, want %v", path, got, want)
		}
	}
}

func TestGoRootIsFoundFromASubdirectory(t *testing.T) {
	dir := writeFixture(t)
	for _, sub := range []string{".", "a", "a/testdata"} {
		if got, kind := project.Root(filepath.Join(dir, sub)); got != dir || kind != kindGo {
			t.Errorf("project.Root(%s) = %s, %q; want the module root %s", sub, got, kind, dir)
		}
	}
	if _, kind := project.Root(t.TempDir()); kind != "" {
		t.Errorf("project.Root of a directory outside every module has kind %q, want none", kind)
	}
}
