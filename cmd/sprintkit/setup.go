package main

import "github.com/urfave/cli/v2"

func setupCommand() *cli.Command {
	return &cli.Command{
		Name:      "setup",
		Usage:     "clone a project, check the machine, record a test baseline and list sprint targets",
		ArgsUsage: "URL|DIR",
		Description: `Example:
   sprintkit setup https://host/org/project.git
   sprintkit setup .`,
		Action: func(c *cli.Context) error { return errNotBuilt("setup") },
	}
}

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check this machine for what the project needs (toolchain, disk, inotify, ...)",
		Description: `Example:
   sprintkit doctor`,
		Action: func(c *cli.Context) error { return errNotBuilt("doctor") },
	}
}
