package main

import "github.com/urfave/cli/v2"

func imageCommand() *cli.Command {
	return &cli.Command{
		Name:  "image",
		Usage: "stage an offline dev-in-a-box image of a project",
		Description: `Example:
   sprintkit image --out /media/usb/sprintbox`,
		Action: func(c *cli.Context) error { return errNotBuilt("image") },
	}
}
