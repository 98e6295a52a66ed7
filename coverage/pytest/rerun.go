package pytest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/proc"
)

// Flaky tests
//
// After a whole-suite pytest run (or a shard's), each failing test is run
// once more, alone, by its pytest node id
// ("tests/test_x.py::TestX::test_y[1]"), with no coverage: a failure that
// passes then is "flaky" (coverage.OutcomeFlaky), not a failure of the
// baseline. Collection failures are not re-run.

// maxFlakyReruns bounds the failing tests one run re-runs.
const maxFlakyReruns = 20

// rerunFailures re-runs the failing tests of tests alone and marks those
// that pass as flaky. It returns warnings for the tests left without a
// re-run. Only a cancelled context stops it early.
func rerunFailures(ctx context.Context, env *Env, dir, tmp string, mods map[string]string, tests []coverage.TestResult) []string {
	n, skipped := 0, 0
	for i, t := range tests {
		if t.Outcome != "fail" || t.Test == collectionTest {
			continue
		}
		id := nodeID(t, mods)
		if id == "" {
			continue
		}
		if n == maxFlakyReruns {
			skipped++
			continue
		}
		n++
		again, ok := runNode(ctx, env, dir, filepath.Join(tmp, fmt.Sprintf("rerun-%d.xml", n)), id, mods)
		if ctx.Err() != nil {
			return nil
		}
		if ok {
			for _, a := range again {
				if a.Package == t.Package && a.Test == t.Test && a.Outcome == "pass" {
					tests[i].Outcome = coverage.OutcomeFlaky
				}
			}
		}
	}
	if skipped > 0 {
		return []string{fmt.Sprintf("%d failing tests were not re-run to tell whether they are flaky (at most %d are)", skipped, maxFlakyReruns)}
	}
	return nil
}

// nodeID is pytest's node id of a test result: the module's file, then the
// class and function names, "::"-separated, with any parameters kept as
// they are; "" when the module's file is unknown.
func nodeID(t coverage.TestResult, mods map[string]string) string {
	file := mods[t.Package]
	if file == "" {
		return ""
	}
	name, params := t.Test, ""
	if i := strings.Index(name, "["); i >= 0 {
		name, params = name[:i], name[i:]
	}
	return file + "::" + strings.ReplaceAll(name, ".", "::") + params
}

// runNode runs one pytest node alone and returns its results, false when
// pytest could not run it.
func runNode(ctx context.Context, env *Env, dir, junit, id string, mods map[string]string) ([]coverage.TestResult, bool) {
	cmd := proc.Command(ctx, env.Python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "junit_family=xunit2",
		"--junitxml="+junit, id)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Run() // a failing test is exit status 1; the report says which
	f, err := os.Open(junit)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	tests, err := parseJUnit(f, mods)
	return tests, err == nil
}
