package onboard

import (
	"context"
	"errors"

	"github.com/sprintkit/sprintkit/checkout"
	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/doctor"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/pyenv"
)

// Summary is what setup did: the --format json document of `sprintkit
// setup`, from a URL, a directory or an image alike (type "setup", version 1):
//
//	{"type": "setup", "version": 1, "dir": "/abs/project",
//	 "source": "clone" | "in place" | "image",
//	 "clone": {"source": "https://***@host/org/p.git", "branch": "main", "commit": "…",
//	           "subject": "…", "files": 5000, "pack_bytes": 123, "seconds": 1.2, "shallow": true},
//	 "checkout": {…the same fields, for a checkout set up in place or from an image…},
//	 "image": {"dir": "/media/usb/box", "project": "example.com/m", "upstream": "…",
//	           "modcache": "~/.cache/sprintkit/checkout-gomod/project-1a2b3c4d5e6f", "env_file": "…/.sprintkit/env", "env": {"GOFLAGS": "…"},
//	           "toolchain": "go1.26.0", "repo_files": 120, "module_files": 900,
//	           "modules": 40, "modules_added": 38, "modules_left_out": 2,
//	           "step_seconds": {"verify": 0.4},
//	           "build_cache": {"used": true, "entries": 4642, "cache": "/abs/project/.sprintkit/gocache",
//	                           "flags": ["-trimpath"]}},   // or {"used": false, "reason": "…"}
//	 "server": {"url": "http://10.0.0.5:8080/", "project": "…", "commit": "…", "report": "…",
//	            "env_file": "…/.sprintkit/env", "env": {"GOPROXY": "…"},
//	            "claims": [{"target": "…", "name": "Ana", "since": "…"}]},
//	 "project": "go module", "checks": [{"id": "go", "name": "…", "status": "ok", "detail": "…", "hint": "…"}],
//	 "deps": {"modules": 12, "cached": 3, "seconds": 4.5,
//	          "python": {"venv": ".venv", "python": "…/.venv/bin/python", "created": true, "base": "/usr/bin/python3",
//	                     "why": "…", "installed": [{"what": ["-e .[tests]"], "from": "pyproject.toml …", "command": "…"}]}},
//	 "tests": {"passed": 10, "failed": 1, "skipped": 0, "seconds": 3.4,
//	           "build_seconds": 1.2, "run_seconds": 2.2, "flags": ["-trimpath", "-count=1"],
//	           "modules": [{"path": "example.com/m", "dir": ".", "status": "tested", "packages": 3,
//	                        "statements": 120, "covered": 80, "percent": 66.7}]},   // several modules only
//	 "failing_before": [{"package": "…", "test": "TestX", "outcome": "fail", "seconds": 0.01}],
//	 "flaky_before": [{"package": "…", "test": "TestY", "outcome": "flaky", "seconds": 0.01}],
//	 "total": {"statements": 120, "covered": 80, "percent": 66.7},
//	 "incomplete": ["TestX panicked in example.com/m/url; its package was re-run without it"],
//	 "targets": [ …the top 5, as in the coverage JSON contract… ],
//	 "baseline": "/abs/project/.sprintkit/baseline.json",
//	 "profile": "/abs/project/.sprintkit/cover.out",
//	 "report": "/abs/project/.sprintkit/report/index.html",
//	 "next": ["cd project", "sprintkit watch-test"], "notes": ["…"], "warnings": ["…"],
//	 "step_seconds": {"source": 3.1, "baseline": 20.5, "rank": 0.3, "report": 0.8},
//	 "error": "…", "hint": "…"}                  // only when setup stopped
//
// Absent fields did not apply: "clone" for a checkout set up in place,
// "image" unless it came from one, "server" unless from a sprint server, "deps" … "report" with --clone-only.
type Summary struct {
	Type          string                `json:"type"`
	Version       int                   `json:"version"`
	Dir           string                `json:"dir"`
	Source        SourceKind            `json:"source"`
	Clone         *CloneSummary         `json:"clone,omitempty"`
	Checkout      *checkout.Result      `json:"checkout,omitempty"`
	Image         *ImageSummary         `json:"image,omitempty"`
	Server        *ServerSummary        `json:"server,omitempty"`
	Project       string                `json:"project"`
	Checks        []doctor.Check        `json:"checks"`
	Deps          *DepsSummary          `json:"deps,omitempty"`
	Tests         *TestSummary          `json:"tests,omitempty"`
	FailingBefore []coverage.TestResult `json:"failing_before,omitempty"`
	FlakyBefore   []coverage.TestResult `json:"flaky_before,omitempty"` // failed, then passed when run again alone
	Total         *coverage.Counts      `json:"total,omitempty"`
	// Branch is the branch-inclusive figure, when the project measures
	// branches (coverage.py's branch = True).
	Branch *coverage.BranchCounts `json:"branch,omitempty"`
	// Incomplete says why a figure above is not the whole story: tests that
	// killed their test binary (their package re-run without them) and
	// packages with no data (not counted in the total, not ranked).
	Incomplete []string          `json:"incomplete,omitempty"`
	Targets    []coverage.Target `json:"targets,omitempty"`
	// Split says how the targets were split for the room ("split 1
	// package into 30 file targets for a room of 20"), when they were.
	Split    string   `json:"split,omitempty"`
	Baseline string   `json:"baseline,omitempty"`
	Profile  string   `json:"profile,omitempty"`
	Report   string   `json:"report,omitempty"`
	Next     []string `json:"next"`
	Notes    []string `json:"notes,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	Error    string   `json:"error,omitempty"`
	Hint     string   `json:"hint,omitempty"`
	// StepSeconds is the wall time of each step that ran: "source" (the
	// clone, or the image's verify, copy and module steps, whose own
	// times are in image.step_seconds), "deps", "baseline" (its split in
	// tests), "rank" (ranking and recording) and "report" (HTML).
	StepSeconds map[string]float64 `json:"step_seconds"`

	relDir string    // Dir as the user should cd to it
	late   *lateWork // for SetupStartFrom, after the first screen
}

// RelDir is the checkout's directory relative to the working directory
// when it is below it, as the user would cd to it.
func (s *Summary) RelDir() string { return s.relDir }

// CloneSummary is the clone step's result.
type CloneSummary struct {
	*checkout.Result
	Seconds float64 `json:"seconds"`
}

// ImageSummary is what setting up from an image did.
type ImageSummary struct {
	Dir         string            `json:"dir"`
	Project     string            `json:"project"`
	Upstream    string            `json:"upstream,omitempty"`
	ModCache    string            `json:"modcache,omitempty"`
	EnvFile     string            `json:"env_file,omitempty"`
	Env         map[string]string `json:"env"`
	ExportLines []string          `json:"-"`
	Toolchain   string            `json:"toolchain,omitempty"`
	RepoFiles   int64             `json:"repo_files"`
	ModuleFiles int64             `json:"module_files"`
	Modules     int               `json:"modules"`
	// ModulesAdded counts the module versions added to ModCache, the
	// checkout's own module cache; ModulesLeftOut those of the image the
	// project does not need, which were not.
	ModulesAdded   int                `json:"modules_added"`
	ModulesLeftOut int                `json:"modules_left_out"`
	StepSeconds    map[string]float64 `json:"step_seconds"`
	// BuildCache says whether the image's Go build cache seeded the
	// checkout's own GOCACHE, or why not.
	BuildCache *image.BuildCacheResult `json:"build_cache,omitempty"`
}

// DepsSummary is the dependency step's result.
type DepsSummary struct {
	Modules int     `json:"modules"`
	Cached  int     `json:"cached"`
	Seconds float64 `json:"seconds"`
	// Python is a Python project's environment and what went into it.
	Python *pyenv.Setup `json:"python,omitempty"`
}

// TestSummary counts the baseline run's tests.
type TestSummary struct {
	coverage.Outcomes
	Seconds float64 `json:"seconds"`
	// BuildSeconds and RunSeconds split Seconds for Go: RunSeconds is the
	// wall time during which at least one test binary ran, BuildSeconds
	// the rest (go test compiling and linking with no test running).
	BuildSeconds float64 `json:"build_seconds,omitempty"`
	RunSeconds   float64 `json:"run_seconds,omitempty"`
	// Flags are the go test flags setup added (from an image: its build
	// cache's flags and -count=1).
	Flags []string `json:"flags,omitempty"`
	// Modules are the modules of a project of several, each with its
	// figure or "no packages".
	Modules []coverage.Module `json:"modules,omitempty"`
}

func newSummary() *Summary {
	return &Summary{Type: "setup", Version: 1, Next: []string{}, Checks: []doctor.Check{}, StepSeconds: map[string]float64{}}
}

// fail records the error that stopped setup, for the JSON document.
func (s *Summary) fail(err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	s.Error = err.Error()
	s.Hint = hint.Of(err)
}

func firstN(t []coverage.Target, n int) []coverage.Target {
	if len(t) > n {
		return t[:n]
	}
	return t
}
