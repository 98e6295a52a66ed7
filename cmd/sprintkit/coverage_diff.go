package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/patchcov"
)

// diffFlags are coverage's patch-coverage flags. urfave/cli flags cannot
// take an optional value, so --diff is a switch and --diff-ref names the
// commit; either of --diff-ref and --fail-under-patch implies --diff.
var diffFlags = []cli.Flag{
	&cli.BoolFlag{Name: "diff", Usage: "also measure your change: the statements on lines added or changed since the baseline's commit (or HEAD), and which ran"},
	&cli.StringFlag{Name: "diff-ref", Usage: "measure the change against `REF` (a commit, branch or tag) instead of the baseline's commit (implies --diff)"},
	&cli.Float64Flag{Name: "fail-under-patch", DefaultText: "off", Usage: "exit 1 when less than `PCT` percent of the change's new statements ran (implies --diff)"},
}

const diffHelp = `

Your change (--diff): the statements on lines added or changed in the
working tree against the commit .sprintkit/baseline.json was recorded at
(HEAD when there is no baseline; --diff-ref REF for another): committed,
staged and unstaged edits, and untracked files that are not ignored, whole.
Deleted files add nothing, a renamed file only its changed lines, and a line
whose text is also a removed line of the same diff counts as moved, not new.
The table and Markdown start with a "Your change" section, the JSON has a
"patch" object, and the HTML report a "Your change" page.
--fail-under-patch PCT exits 1 when the change's coverage is below PCT, for a
pre-commit hook or CI.`

// diffOptions fill the patch part of coverageOptions from c.
func diffOptions(c *cli.Context, o *coverageOptions) {
	o.DiffRef = c.String("diff-ref")
	o.FailUnderPatch = -1
	if c.IsSet("fail-under-patch") {
		o.FailUnderPatch = c.Float64("fail-under-patch")
		o.failUnderSet = true
	}
	o.Diff = c.Bool("diff") || o.DiffRef != "" || o.failUnderSet
}

func (o *coverageOptions) validateDiff() error {
	if o.failUnderSet && (o.FailUnderPatch < 0 || o.FailUnderPatch > 100) {
		return usagef("--fail-under-patch %g: want a percentage from 0 to 100", o.FailUnderPatch)
	}
	return nil
}

// failUnderPatch is the error --fail-under-patch returns, nil when pc is
// at or above the limit.
func failUnderPatch(o coverageOptions, pc *patchcov.Coverage) error {
	if pc == nil || o.FailUnderPatch < 0 || !pc.Below(o.FailUnderPatch) {
		return nil
	}
	return withHint(&exitError{code: 1, msg: fmt.Sprintf("your change: %.1f%% of its new statements ran (%d of %d), below --fail-under-patch %g",
		pc.Percent, pc.Covered, pc.Statements, o.FailUnderPatch)},
		"write tests that run "+pc.UncoveredList(5))
}
