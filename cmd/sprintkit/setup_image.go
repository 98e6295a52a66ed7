package main

import "github.com/urfave/cli/v2"

// setupFromImage runs `sprintkit setup --from-image DIR`.
func setupFromImage(c *cli.Context) error { return errNotBuilt("setup --from-image") }
