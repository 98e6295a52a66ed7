// Command sprintkit turns "I just arrived at the sprint" into "my first test is running".
//
// main is an adapter: it builds the urfave/cli application, runs it, and maps
// the error it returns to an exit code in one place (see exitCode).
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
