package main

import (
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"
)

// TestCIExamples parses the example CI workflows, checks their shape (N
// shard jobs, then a merge that needs them) and that every sprintkit
// command they run is a real command with real flags.
func TestCIExamples(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		shape func(t *testing.T, doc map[string]any)
	}{
		{"the GitHub Actions matrix runs 4 shards and merges them after", "github-actions.yml", func(t *testing.T, doc map[string]any) {
			index := dig(doc, "jobs", "shard", "strategy", "matrix", "index")
			if l, ok := index.([]any); !ok || len(l) != 4 {
				t.Errorf("jobs.shard.strategy.matrix.index = %v, want 4 shard indexes", index)
			}
			if needs := dig(doc, "jobs", "merge", "needs"); needs != "shard" {
				t.Errorf("jobs.merge.needs = %v, want shard", needs)
			}
		}},
		{"GitLab's parallel job runs its shard by CI_NODE_INDEX/CI_NODE_TOTAL and the merge needs it", "gitlab-ci.yml", func(t *testing.T, doc map[string]any) {
			if p := dig(doc, "coverage-shard", "parallel"); p != 4 {
				t.Errorf("coverage-shard.parallel = %v, want 4", p)
			}
			if !slices.ContainsFunc(scripts(doc["coverage-shard"]), func(s string) bool {
				return strings.Contains(s, `--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"`)
			}) {
				t.Errorf("coverage-shard does not run --shard \"$CI_NODE_INDEX/$CI_NODE_TOTAL\"")
			}
			if job := dig(doc, "coverage-merge", "needs"); job == nil {
				t.Errorf("coverage-merge needs nothing, want coverage-shard")
			}
		}},
	}
	app := newApp(io.Discard, io.Discard)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", "examples", "ci", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := yaml.Unmarshal(b, &doc); err != nil {
				t.Fatalf("parse %s: %v", tt.file, err)
			}
			tt.shape(t, doc)
			var shard, merge bool
			for _, line := range scripts(doc) {
				for _, m := range sprintkitRun.FindAllStringSubmatch(line, -1) {
					args := strings.Fields(m[1])
					cmd := app.Command(args[0])
					if cmd == nil {
						t.Errorf("%s: %q: no command %q", tt.file, line, args[0])
						continue
					}
					for _, a := range args[1:] {
						name, isFlag := strings.CutPrefix(a, "--")
						if !isFlag {
							continue
						}
						name, _, _ = strings.Cut(name, "=")
						if !slices.ContainsFunc(cmd.Flags, func(f cli.Flag) bool { return slices.Contains(f.Names(), name) }) {
							t.Errorf("%s: %q: %s has no flag --%s", tt.file, line, args[0], name)
						}
					}
					shard = shard || slices.Contains(args, "--shard")
					merge = merge || slices.Contains(args, "--outcomes")
				}
			}
			if !shard || !merge {
				t.Errorf("%s: runs a shard: %v, merges: %v; want both", tt.file, shard, merge)
			}
		})
	}
}

// sprintkitRun finds a sprintkit invocation in a shell line, up to a
// redirection, pipe or the line's end.
var sprintkitRun = regexp.MustCompile(`(?:^|[\s;&])sprintkit\s+([a-z][^|>;&]*)`)

// scripts returns every string under v: the shell lines of run: steps and
// script: lists alike.
func scripts(v any) []string {
	switch v := v.(type) {
	case string:
		return strings.Split(v, "\n")
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, scripts(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if k == "name" {
				continue
			}
			out = append(out, scripts(v[k])...)
		}
		return out
	}
	return nil
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
