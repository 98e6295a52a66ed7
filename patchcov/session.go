package patchcov

import (
	"context"

	"github.com/sprintkit/sprintkit/coverage"
)

// Session measures the change after each of a series of runs that each
// measure only part of the project (watch-test runs the affected packages):
// it keeps every file's coverage from the latest run that measured it, so a
// change spread over packages is measured whole once each has been tested.
// A file changed before the session started counts once a run has tested
// its package.
type Session struct {
	Root    string  // the checkout (Result.Root)
	Ref     string  // the commit to diff against
	Backend Backend // "" means DefaultBackend
	files   map[string]*coverage.File
}

// Measure adds r's files to the session and returns the patch coverage of
// the change against s.Ref over every file measured so far. A partial r
// (only some tests ran: watch-test's run of changed Python test files)
// adds what its tests ran to what the session has for a file whose blocks
// are the same, rather than replacing it: the other tests did not change.
func (s *Session) Measure(ctx context.Context, r *coverage.Result, partial bool) (*Coverage, error) {
	if s.files == nil {
		s.files = map[string]*coverage.File{}
	}
	for _, p := range r.Packages {
		if p.NoData != "" {
			continue
		}
		for _, f := range p.Files {
			if f.Rel == "" {
				continue
			}
			if old := s.files[f.Rel]; partial && old != nil {
				if merged, ok := union(old, f); ok {
					f = merged
				}
			}
			s.files[f.Rel] = f
		}
	}
	b := s.Backend
	if b == "" {
		b = DefaultBackend()
	}
	ch, err := Diff(ctx, s.Root, s.Ref, b)
	if err != nil {
		return nil, err
	}
	all := &coverage.Result{Root: s.Root, Packages: []*coverage.Package{{}}}
	for _, f := range s.files {
		all.Packages[0].Files = append(all.Packages[0].Files, f)
	}
	return Compute(all, ch), nil
}

// union is a copy of b where a block also counts as run when it ran in a;
// ok is false when the two do not have the same blocks.
func union(a, b *coverage.File) (*coverage.File, bool) {
	if len(a.Blocks) != len(b.Blocks) {
		return nil, false
	}
	out := *b
	out.Blocks = append(out.Blocks[:0:0], b.Blocks...)
	for i, blk := range a.Blocks {
		o := &out.Blocks[i]
		if blk.StartLine != o.StartLine || blk.StartCol != o.StartCol || blk.EndLine != o.EndLine || blk.EndCol != o.EndCol || blk.NumStmt != o.NumStmt {
			return nil, false
		}
		if o.Count == 0 {
			o.Count = blk.Count
		}
	}
	return &out, true
}
