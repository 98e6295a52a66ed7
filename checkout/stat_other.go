//go:build !linux && !darwin

package checkout

import (
	"os"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// fillStat leaves the rest of the stat data out; git refreshes it on its
// first `git status`.
func fillStat(e *index.Entry, fi os.FileInfo) {}
