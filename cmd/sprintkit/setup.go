package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/cmd/sprintkit/termui"
	"github.com/sprintkit/sprintkit/coverage/gotest"
	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/onboard"
)

func setupCommand() *cli.Command {
	return &cli.Command{
		Name:      "setup",
		Usage:     "clone a project, check the machine, record a test baseline and list sprint targets",
		ArgsUsage: "URL|DIR",
		Description: `Clones URL (https, http, ssh, git, file:// or a local path to a repository)
into ./NAME or --dir, one commit deep on one branch without tags, like
'git clone --depth 1 --single-branch --no-tags'. Given a directory that is
already a checkout, sets it up in place. With --from-image, sets up with no
network from an image that 'sprintkit image' staged. Then: go mod download,
the whole test suite once with coverage, .sprintkit/baseline.json (the tests
that fail before you change anything), .sprintkit/cover.out, the sprint
targets and the HTML report.

Checks run first (see 'sprintkit doctor'); a failed check stops setup before
it writes anything. A destination that exists and is not empty is refused.
Credentials in the URL are kept in .git/config (you need them to push) and
never printed.

Example:
   sprintkit setup https://host/org/project.git
   sprintkit setup git@host:org/project.git --dir work/project --branch main
   sprintkit setup file:///srv/git/project.git --depth 0
   sprintkit setup .
   sprintkit setup URL --clone-only      # clone and check, no tests
   sprintkit setup --from-image /media/usb/sprintbox --dir ~/project`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Usage: "clone (or copy the image) into `DIR` instead of ./NAME"},
			&cli.StringFlag{Name: "branch", Aliases: []string{"b"}, Usage: "clone `BRANCH` instead of the remote's default"},
			&cli.IntFlag{Name: "depth", Value: 1, Usage: "fetch `N` commits of history; 0 fetches all of it"},
			&cli.BoolFlag{Name: "tags", Usage: "fetch the remote's tags too"},
			&cli.StringFlag{Name: "ssh-key", Usage: "private key `FILE` for ssh URLs (default: the SSH agent)"},
			&cli.BoolFlag{Name: "clone-only", Usage: "stop after the clone and the checks: no dependencies, tests or report"},
			&cli.BoolFlag{Name: "no-deps", Usage: "do not install a Python project and its test dependencies into its virtual environment"},
			&cli.DurationFlag{Name: "timeout", Value: gotest.DefaultTestTimeout, Usage: "stop a package's tests after `D` (go test -timeout, per test binary); the hung test is named and skipped in a re-run; 0 means no limit"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "summary as `text|json`"},
			roomFlag,
			&cli.BoolFlag{Name: "json", Usage: "same as --format json"},
			&cli.StringFlag{Name: "from-image", Usage: "set up offline from the image in `DIR` (see 'sprintkit image')"},
			&cli.BoolFlag{Name: "no-build-cache", Usage: "with --from-image: leave the image's Go build cache out (the checkout then builds with your own GOCACHE, which only your go fills)"},
		},
		Action: runSetup,
	}
}

func runSetup(c *cli.Context) error {
	format, err := jsonFormat(c, "setup", "text")
	if err != nil {
		return err
	}
	o := onboard.Options{
		Image:        c.String("from-image"),
		Dir:          c.String("dir"),
		Branch:       c.String("branch"),
		Depth:        c.Int("depth"),
		Tags:         c.Bool("tags"),
		SSHKey:       c.String("ssh-key"),
		CloneOnly:    c.Bool("clone-only"),
		NoDeps:       c.Bool("no-deps"),
		NoBuildCache: c.Bool("no-build-cache"),
		Timeout:      noLimit(c.Duration("timeout")),
		Events:       events(c.App.ErrWriter),
		Room:         c.Int("room"),
	}
	switch {
	case o.Image != "" && c.NArg() > 0:
		return usagef("setup: --from-image takes no URL or directory argument; pass the destination with --dir")
	case o.Image == "" && c.NArg() != 1:
		return usagef("setup needs one repository URL or directory, got %s", human.Count(c.NArg(), "argument", "arguments"))
	case c.Duration("timeout") < 0:
		return usagef("setup: --timeout %s: want a duration such as 2m, or 0 for no limit", c.Duration("timeout"))
	case o.Room < 0:
		return usagef("setup: --room %d: want the number of sprinters, 1 or more", o.Room)
	case o.Depth < 0:
		return usagef("setup: --depth must be 0 (all history) or more")
	}
	if o.Image == "" {
		o.Arg = c.Args().First()
	}
	sum, err := onboard.Setup(c.Context, o)
	if err != nil {
		if format == "json" && sum.Error != "" {
			writeJSON(c.App.Writer, sum) // scripts get the document on failure too
		}
		return fmt.Errorf("setup: %w", err)
	}
	if format == "json" {
		// A script reads one document: it waits for start_from.
		if err := onboard.SetupStartFrom(c.Context, sum, o.Events, c.App.ErrWriter); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		return writeJSON(c.App.Writer, sum)
	}
	// Each line fits the terminal, wrapped at spaces (termui.Wrap).
	w := termui.NewWrapper(c.App.Writer)
	printSetupSummary(w, sum)
	if err := w.Flush(); err != nil {
		return err
	}
	// After the first screen: the test to start from for each target.
	if err := onboard.SetupStartFrom(c.Context, sum, o.Events, c.App.ErrWriter); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	return nil
}

// jsonFormat reads --format (and its alias --json) of a command.
func jsonFormat(c *cli.Context, cmd string, allowed ...string) (string, error) {
	if c.Bool("json") {
		if c.IsSet("format") && c.String("format") != "json" {
			return "", usagef("%s: --json and --format %s disagree", cmd, c.String("format"))
		}
		return "json", nil
	}
	f := c.String("format")
	return f, formatFlag(cmd, f, append(allowed, "json")...)
}
