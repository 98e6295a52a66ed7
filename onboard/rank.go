package onboard

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/proc"
)

// Rank ranks the sprint targets of r with sprintkit's one set of ranking
// defaults, whichever command asks: by is "package", "file" or "function"
// ("" is the default unit: coverage.DefaultUnit, the module file for
// Python), the maintainers' sprintkit.toml at root is honoured (pins,
// test-support), files changed recently in root's history are boosted (not
// in a shallow clone, whose single commit says nothing about what changed),
// and every target is kept (callers cut the list to show). Call Curate on
// r first.
func Rank(ctx context.Context, root string, r *coverage.Result, by string) []coverage.Target {
	_, asked := RankAs(ctx, root, r, by)
	return asked
}

// RankAs is Rank by the default unit (what coverage.json holds) and, when
// by is not "", by that unit too, reading the history and the project file
// once for both.
func RankAs(ctx context.Context, root string, r *coverage.Result, by string) (def, asked []coverage.Target) {
	pf, _ := coverage.LoadProjectFile(root) // its errors were reported by Curate
	opts := coverage.RankOptions{Recent: RecentFiles(ctx, root), Project: pf}
	def = coverage.Rank(r, opts)
	if by == "" {
		return def, def
	}
	opts.By = by
	return def, coverage.Rank(r, opts)
}

// LoadProjectFile reads the maintainers' sprintkit.toml at root: nil when
// there is none, an error naming its file and line when it is wrong.
func LoadProjectFile(root string) (*coverage.ProjectFile, error) {
	pf, err := coverage.LoadProjectFile(root)
	if err != nil {
		return nil, hint.With(err, "fix "+coverage.ProjectFileName+" (keys: exclude, test_support, [[target]] with path or name, and note) or move it aside")
	}
	return pf, nil
}

// Curate applies root's sprintkit.toml to a measured result: excluded paths
// leave the result and its totals (with a warning that says so).
func Curate(root string, r *coverage.Result) error {
	pf, err := LoadProjectFile(root)
	if err != nil {
		return err
	}
	pf.Apply(r)
	return nil
}

// RecentFiles returns the files (relative to root, slash-separated) that
// the last 200 commits of the past 30 days touched, for the ranking's
// "changed recently" boost; nil without git, without history, or in a
// shallow clone.
func RecentFiles(ctx context.Context, root string) map[string]bool {
	top, err := proc.Command(ctx, "git", "-C", root, "rev-parse", "--show-toplevel", "--is-shallow-repository").Output()
	if err != nil {
		return nil
	}
	lines := strings.Fields(string(top))
	if len(lines) != 2 || lines[1] != "false" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(lines[0], ".git")); err != nil {
		return nil
	}
	cmd := proc.Command(ctx, "git", "-C", root, "log", "--since=30.days.ago", "-n", "200",
		"--name-only", "--format=", "--relative", "--no-renames", "--")
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	m := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			m[line] = true
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
