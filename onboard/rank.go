package onboard

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/internal/proc"
)

// curateAndRank applies the maintainers' project file pf to r (excluded
// paths leave the result and its totals, with a warning that says so) and
// ranks its sprint targets with sprintkit's one set of defaults, whichever
// command asks: pf's pins and test-support paths are honoured, files
// changed recently in root's history are boosted (not in a shallow clone,
// whose single commit says nothing about what changed), and every target
// is kept (callers cut the list to show). def is by the default unit
// (coverage.DefaultUnit, the module file for Python: what coverage.json
// holds); asked is by `by` ("package", "file" or "function"), def when by
// is "". The history is read once for both. The default ranking splits
// targets for a room of room sprinters (0: the project file's [room] size,
// else coverage.DefaultRoomSize); split says how, "" when it did not.
func curateAndRank(ctx context.Context, root string, pf *coverage.ProjectFile, r *coverage.Result, by string, room int) (def, asked []coverage.Target, split string) {
	return curateAndRankRecent(pf, r, by, room, RecentFiles(ctx, root), nil)
}

// curateAndRankRecent is curateAndRank with the recently changed files
// already read (RecentFiles), as Coverage reads them while it loads;
// curated, when not nil, is called once r is curated, before the ranking
// (which only reads r from then on).
func curateAndRankRecent(pf *coverage.ProjectFile, r *coverage.Result, by string, room int, recent map[string]bool, curated func()) (def, asked []coverage.Target, split string) {
	pf.Apply(r)
	if curated != nil {
		curated()
	}
	if room <= 0 {
		room = pf.RoomSize()
	}
	opts := coverage.RankOptions{Recent: recent, Project: pf, Room: room}
	def, split = coverage.RankRoom(r, opts)
	if by == "" {
		return def, def, split
	}
	opts.By = by
	return def, coverage.Rank(r, opts), ""
}

// startRecentFiles runs RecentFiles for root in the background (two git
// commands, on the critical path otherwise); the function it returns waits
// for their answer.
func startRecentFiles(ctx context.Context, root string) func() map[string]bool {
	ch := make(chan map[string]bool, 1)
	go func() { ch <- RecentFiles(ctx, root) }()
	return sync.OnceValue(func() map[string]bool { return <-ch })
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
