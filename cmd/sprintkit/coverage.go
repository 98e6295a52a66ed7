package main

import "github.com/urfave/cli/v2"

func coverageCommand() *cli.Command {
	return &cli.Command{
		Name:  "coverage",
		Usage: "run the tests with coverage and rank sprint targets",
		Description: `Example:
   sprintkit coverage --top 20 --by function`,
		Action: func(c *cli.Context) error { return errNotBuilt("coverage") },
	}
}
