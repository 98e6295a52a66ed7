package gotest

import (
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// moduleFigures gives each module of a project of several its status and
// figure: the packages of r whose import path is under its module path
// (the innermost module's), those without data left out as in r.Total.
// status holds, by module directory, the modules not tested; nil for a
// project of one module.
func moduleFigures(proj *Project, r *coverage.Result, status map[string]string) []coverage.Module {
	if len(proj.Modules) < 2 {
		return nil
	}
	mods := make([]coverage.Module, len(proj.Modules))
	for i, m := range proj.Modules {
		mods[i] = coverage.Module{Path: m.Path, Dir: relSlash(proj.Root, m.Dir), Status: coverage.ModuleTested}
		if mods[i].Dir == "" {
			mods[i].Dir = "."
		}
		if st := status[m.Dir]; st != "" {
			mods[i].Status = st
		}
	}
	for _, p := range r.Packages {
		best, bestLen := -1, -1
		for i, m := range proj.Modules {
			if (p.Name == m.Path || strings.HasPrefix(p.Name, m.Path+"/")) && len(m.Path) > bestLen {
				best, bestLen = i, len(m.Path)
			}
		}
		if best < 0 {
			continue
		}
		mods[best].Packages++
		if p.NoData == "" {
			mods[best].Statements += p.Statements
			mods[best].Covered += p.Covered
		}
	}
	for _, t := range r.Tests {
		if t.Outcome != "fail" {
			continue
		}
		for i, m := range proj.Modules {
			if mods[i].Packages == 0 && mods[i].Status == coverage.ModuleTested && (t.Package == m.Path || strings.HasPrefix(t.Package, m.Path+"/")) {
				mods[i].Status = coverage.ModuleFailed // nothing measured, and a failure says why
			}
		}
	}
	for i := range mods {
		mods[i].Percent = coverage.Percent(mods[i].Covered, mods[i].Statements)
	}
	return mods
}
