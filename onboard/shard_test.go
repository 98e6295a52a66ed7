package onboard

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/state"
)

func TestPlanShards(t *testing.T) {
	tests := []struct {
		name    string
		pkgs    []string
		seconds map[string]float64
		n       int
		want    [][]string
	}{
		{
			name: "without durations the packages are dealt out by count, in name order",
			pkgs: []string{"e", "c", "a", "d", "b"},
			n:    2,
			want: [][]string{{"a", "c", "e"}, {"b", "d"}},
		},
		{
			name:    "the longest package goes first and the others fill the lighter shard",
			pkgs:    []string{"a", "b", "c", "d"},
			seconds: map[string]float64{"a": 1, "b": 10, "c": 4, "d": 5},
			n:       2,
			want:    [][]string{{"b"}, {"a", "c", "d"}},
		},
		{
			name:    "three shards of 7,7,6,6,5,5,4,4,4 seconds are balanced at 16 each",
			pkgs:    []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"},
			seconds: map[string]float64{"p1": 7, "p2": 7, "p3": 6, "p4": 6, "p5": 5, "p6": 5, "p7": 4, "p8": 4, "p9": 4},
			n:       3,
			want:    [][]string{{"p1", "p5", "p7"}, {"p2", "p6", "p8"}, {"p3", "p4", "p9"}},
		},
		{
			name:    "equal durations are broken by name, so every CI job plans the same",
			pkgs:    []string{"z", "y", "x"},
			seconds: map[string]float64{"x": 2, "y": 2, "z": 2},
			n:       3,
			want:    [][]string{{"x"}, {"y"}, {"z"}},
		},
		{
			name:    "a package the baseline does not know (new) still lands in a shard",
			pkgs:    []string{"old", "new"},
			seconds: map[string]float64{"old": 3},
			n:       2,
			want:    [][]string{{"old"}, {"new"}},
		},
		{
			name: "more shards than packages leaves the last shards empty",
			pkgs: []string{"a"},
			n:    3,
			want: [][]string{{"a"}, nil, nil},
		},
		{
			name: "a package listed twice is planned once",
			pkgs: []string{"a", "a", "b"},
			n:    1,
			want: [][]string{{"a", "b"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlanShards(tt.pkgs, tt.seconds, tt.n)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PlanShards(%v, %v, %d) = %v, want %v", tt.pkgs, tt.seconds, tt.n, got, tt.want)
			}
		})
	}
}

func TestParseShard(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Shard
		ok   bool
	}{
		{"the first of four", "1/4", Shard{1, 4}, true},
		{"the last of four", "4/4", Shard{4, 4}, true},
		{"an index past the count is refused", "5/4", Shard{}, false},
		{"indexes count from 1, as CI_NODE_INDEX does", "0/4", Shard{}, false},
		{"a missing count is refused", "2", Shard{}, false},
		{"words are refused", "a/b", Shard{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseShard(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("ParseShard(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

// LoadShards refuses shards that are not one run, naming the file, before
// it merges anything.
func TestLoadShardsRefusesShardsOfAnotherRun(t *testing.T) {
	type shard struct {
		file, lang string
		index, n   int
	}
	tests := []struct {
		name   string
		shards []shard
		want   string
	}{
		{"a Python shard among Go ones", []shard{{"shard-1-of-2.json", "go", 1, 2}, {"py.json", "python", 2, 2}},
			"py.json: shard of a python project, but " + "shard-1-of-2.json is of a go one"},
		{"a shard of another count", []shard{{"shard-1-of-2.json", "python", 1, 2}, {"shard-2-of-3.json", "python", 2, 3}},
			"shard-2-of-3.json: shard 2/3, but shard-1-of-2.json is of 2 shards"},
		{"a shard twice", []shard{{"a.json", "python", 1, 2}, {"b.json", "python", 1, 2}},
			"b.json: shard 1/2 twice (also a.json)"},
		{"a shard missing", []shard{{"a.json", "python", 2, 3}},
			"shards missing: shard-1-of-3, shard-3-of-3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var names []string
			for _, s := range tt.shards {
				name := filepath.Join(dir, s.file)
				so := ShardOutcomes{Type: shardType, Baseline: &coverage.Baseline{Version: 1, Language: s.lang, Tests: []coverage.TestResult{}},
					Shard: Shard{s.index, s.n}}
				if err := state.WriteJSON(name, so); err != nil {
					t.Fatal(err)
				}
				names = append(names, name)
			}
			_, err := LoadShards(context.Background(), dir, nil, names)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""); got != tt.want {
				t.Errorf("error %q, want %q", got, tt.want)
			}
		})
	}
}
