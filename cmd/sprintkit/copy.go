package main

import "github.com/urfave/cli/v2"

func copyCommand() *cli.Command {
	return &cli.Command{
		Name:      "copy",
		Usage:     "copy a tree in parallel, faithfully and atomically (like cp -a SRC/. DST/)",
		ArgsUsage: "SRC DST",
		Description: `Example:
   sprintkit copy SRC DST -j 8`,
		Action: func(c *cli.Context) error { return errNotBuilt("copy") },
	}
}
