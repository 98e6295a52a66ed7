package main

import "github.com/urfave/cli/v2"

func watchTestCommand() *cli.Command {
	return &cli.Command{
		Name:  "watch-test",
		Usage: "re-run the affected tests on every save and show how coverage moved",
		Description: `Example:
   sprintkit watch-test`,
		Action: func(c *cli.Context) error { return errNotBuilt("watch-test") },
	}
}
