package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/onboard"
)

// shardFlags are coverage's flags for a test suite split across CI jobs.
var shardFlags = []cli.Flag{
	&cli.StringFlag{Name: "shard", Usage: "run only shard `I/N` of the Go packages or of a Python project's test files (longest first by the baseline's test durations) and write its profile and outcomes into --shard-dir"},
	&cli.StringFlag{Name: "shard-dir", Usage: "where --shard writes shard-I-of-N.out and shard-I-of-N.json (`DIR`)", DefaultText: ".sprintkit/shards"},
	&cli.StringSliceFlag{Name: "outcomes", Usage: "merge the shards' outcomes `FILE`s (shard-I-of-N.json, globs expanded; with --profile, or their .out beside them); records the baseline like setup"},
}

const shardHelp = `

Shards (CI): each job of a matrix runs

   sprintkit coverage --shard I/N --shard-dir shards

which tests only its share of the packages, with whole-suite -coverpkg, and
writes shards/shard-I-of-N.out and shards/shard-I-of-N.json. The packages
are split by longest processing time first over each package's test
seconds in .sprintkit/baseline.json (by count without one), the same way in
every job. A Python project is split by test file (test_*.py, *_test.py),
weighed by the seconds of each file's tests: pytest runs under coverage.py
collecting only the shard's files, and shard-I-of-N.out holds coverage.py's
JSON report. A last job merges them (for Python too, with no Python needed):

   sprintkit coverage --profile 'shards/*.out' --outcomes 'shards/*.json'

with the same total, targets and failing tests as one unsharded run, and
records the baseline (.sprintkit/baseline.json) as setup does. A shard
missing, given twice, or of another commit is an error naming it.
See examples/ci/.`

// shardOptions fill the shard part of coverageOptions from c.
func shardOptions(c *cli.Context, o *coverageOptions) {
	o.Shard = c.String("shard")
	o.ShardDir = c.String("shard-dir")
	o.Outcomes = c.StringSlice("outcomes")
	o.Profiles = onboard.ExpandGlobs(o.Profiles)
}

func (o *coverageOptions) validateShard() error {
	if o.Shard == "" {
		if o.ShardDir != "" {
			return usagef("--shard-dir goes with --shard I/N")
		}
		if len(o.Outcomes) > 0 && (len(o.Imports) > 0 || o.PerPackage) {
			return usagef("--outcomes merges shards; it cannot go with --import or --per-package")
		}
		return nil
	}
	if _, err := onboard.ParseShard(o.Shard); err != nil {
		return usagef("--shard: %v", err)
	}
	if len(o.Profiles) > 0 || len(o.Imports) > 0 || len(o.Outcomes) > 0 || o.PerPackage || o.Diff || o.HTML {
		return usagef("--shard runs one shard's tests; it cannot go with --profile, --import, --outcomes, --per-package, --diff or --html")
	}
	return nil
}

// printShard names what `coverage --shard I/N` ran and wrote.
func printShard(stdout, stderr io.Writer, sr *onboard.ShardRun) {
	s, r := sr.Shard, sr.Result
	fmt.Fprintf(stdout, "shard %d/%d: %s, %s\n", s.Index, s.Count,
		human.Count(len(r.Tests), "test", "tests"), filepath.Join(sr.Dir, s.Name()+".{out,json}"))
	if n := len(r.Failed()); n > 0 {
		say(stderr, "%s failed; %s recorded as failing in the shard's outcomes", human.Count(n, "test", "tests"), human.Word(n, "it is", "they are"))
	}
}
