package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/sprintkit/sprintkit/internal/pyenv"
	"github.com/sprintkit/sprintkit/onboard"
)

// printDeps renders the dependency step: the Go modules downloaded, or a
// Python project's environment (printPythonDeps).
func printDeps(w io.Writer, d *onboard.DepsSummary) {
	switch {
	case d == nil:
	case d.Python != nil:
		printPythonDeps(w, d.Python)
	default:
		fmt.Fprintf(w, "modules   %d in go.sum (%d already in the module cache), downloaded in %.1fs\n", d.Modules, d.Cached, d.Seconds)
	}
}

// printPythonDeps renders a Python project's environment and what setup
// installed into it, from where.
func printPythonDeps(w io.Writer, p *pyenv.Setup) {
	fmt.Fprintf(w, "venv      %s (%s)\n", p.Name, p.Why)
	switch {
	case p.Reused:
		fmt.Fprintf(w, "deps      already installed by an earlier setup (the declaring files have not changed)\n")
	case len(p.Installed) == 0:
		fmt.Fprintf(w, "deps      nothing to install\n")
	default:
		for i, in := range p.Installed {
			label := "deps      "
			if i > 0 {
				label = "          "
			}
			fmt.Fprintf(w, "%s%s from %s\n", label, strings.Join(in.What, " "), in.From)
		}
		fmt.Fprintf(w, "          installed with pip in %.1fs\n", p.Seconds)
	}
	if p.PathFile != "" {
		fmt.Fprintf(w, "          the project's source is on the path (%s): it could not be built here\n", p.PathFile)
	}
	if len(p.Missing) > 0 {
		fmt.Fprintf(w, "          missing: %s\n", strings.Join(p.Missing, ", "))
	}
}

// fetchers says who fetches from a sprint server with its settings env.
func fetchers(env map[string]string) string {
	if _, ok := env["PIP_INDEX_URL"]; ok {
		return "the go command and pip fetch packages"
	}
	return "the go command fetches modules"
}
