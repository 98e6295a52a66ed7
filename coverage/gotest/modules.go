package gotest

import (
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// moduleFigures gives each module of a project of several its status and
// figure: the packages of r whose import path is under its module path
// (the innermost module's), those without data left out as in r.Total. A
// module with no package in r is "failed" when a test under it failed (a
// "(module)" or "(build)" failure), else "no packages". nil for a project
// of one module. The figures depend on r alone, so that merged shards give
// those of one run.
func moduleFigures(proj *Project, r *coverage.Result) []coverage.Module {
	if len(proj.Modules) < 2 {
		return nil
	}
	mods := make([]coverage.Module, len(proj.Modules))
	for i, m := range proj.Modules {
		mods[i] = coverage.Module{Path: m.Path, Dir: relSlash(proj.Root, m.Dir), Status: coverage.ModuleTested}
		if mods[i].Dir == "" {
			mods[i].Dir = "."
		}
	}
	for _, p := range r.Packages {
		if i := innermost(proj, p.Name); i >= 0 {
			mods[i].Packages++
			if p.NoData == "" {
				mods[i].Statements += p.Statements
				mods[i].Covered += p.Covered
			}
		}
	}
	for i := range mods {
		if mods[i].Packages == 0 {
			mods[i].Status = coverage.ModuleNoPackages
		}
	}
	for _, t := range r.Tests {
		if i := innermost(proj, t.Package); i >= 0 && t.Outcome == "fail" && mods[i].Packages == 0 {
			mods[i].Status = coverage.ModuleFailed // nothing measured, and a failure says why
		}
	}
	for i := range mods {
		mods[i].Percent = coverage.Percent(mods[i].Covered, mods[i].Statements)
	}
	return mods
}

// innermost returns the index of the module of proj whose path is the
// longest prefix of the import path pkg, -1 when none is.
func innermost(proj *Project, pkg string) int {
	best, bestLen := -1, -1
	for i, m := range proj.Modules {
		if (pkg == m.Path || strings.HasPrefix(pkg, m.Path+"/")) && len(m.Path) > bestLen {
			best, bestLen = i, len(m.Path)
		}
	}
	return best
}
