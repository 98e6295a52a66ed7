package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/doctor"
	"github.com/sprintkit/sprintkit/onboard"
)

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:      "doctor",
		Usage:     "check this machine for what the project needs (toolchain, disk, inotify, ...)",
		ArgsUsage: "[DIR]",
		Description: `Runs the checks 'sprintkit setup' runs first, for the project in DIR
(default: the current directory): the Go toolchain against go.mod's go line
and what GOTOOLCHAIN will do about it, git, free disk space, write
permission, the inotify watch limit against the project's directories, and
for Python projects an interpreter with coverage.py and pytest. Each line is
✓ (fine), ! (works, with a caveat) or ✗ (setup would stop), with a fix.
Exits 1 when a check fails.

Example:
   sprintkit doctor
   sprintkit doctor --format json ../project`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output as `text|json`"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usagef("doctor takes at most one directory, got %d", c.NArg())
			}
			if err := formatFlag("doctor", c.String("format"), "text", "json"); err != nil {
				return err
			}
			dir := "."
			if c.NArg() == 1 {
				dir = c.Args().First()
			}
			return runDoctor(c, dir, c.String("format") == "json", c.App.Writer)
		},
	}
}

// doctorJSON is `sprintkit doctor --format json`.
type doctorJSON struct {
	Type    string         `json:"type"` // "doctor"
	Version int            `json:"version"`
	Dir     string         `json:"dir"`
	Project string         `json:"project"`
	OK      bool           `json:"ok"`
	Checks  []doctor.Check `json:"checks"`
}

func runDoctor(c *cli.Context, dir string, asJSON bool, stdout io.Writer) error {
	kind, checks, err := onboard.Doctor(c.Context, dir)
	if err != nil {
		return fmt.Errorf("doctor: %w", err)
	}
	if asJSON {
		if err := writeJSON(stdout, doctorJSON{"doctor", 1, onboard.Abs(dir), kind, !doctor.Failed(checks), checks}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "project: %s (%s)\n", kind, onboard.Abs(dir))
		printChecks(stdout, checks, "")
	}
	if doctor.Failed(checks) {
		failed := 0
		for _, ch := range checks {
			if ch.Status == doctor.Fail {
				failed++
			}
		}
		return &exitError{code: 1, msg: fmt.Sprintf("%d of %d checks failed; the hints above say what to do", failed, len(checks))}
	}
	return nil
}
