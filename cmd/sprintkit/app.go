package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build info.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "sprintkit",
		Usage:   "from \"I just arrived at the sprint\" to \"my first test is running\"",
		Version: buildVersion(),
		Description: `sprintkit sets up a project for a coding sprint, ranks where its tests
leave code unexercised as sprint targets, re-runs affected tests on every save,
and stages offline "dev-in-a-box" images.

Start with:
   sprintkit setup https://host/org/project.git
   sprintkit coverage --html`,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		Commands: []*cli.Command{
			setupCommand(),
			doctorCommand(),
			coverageCommand(),
			watchTestCommand(),
			copyCommand(),
			imageCommand(),
		},
		// Exit codes are decided in run, never inside the library.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, isSubcommand bool) error {
			return &usageError{msg: err.Error()}
		},
		CommandNotFound: func(c *cli.Context, name string) {},
	}
	app.Suggest = true
	// A bad flag on any command is a usage error: exit 2, one line naming
	// the flag, and no wall of help text.
	for _, cmd := range app.Commands {
		if cmd.OnUsageError == nil {
			cmd.OnUsageError = app.OnUsageError
		}
	}
	return app
}

// run executes the CLI and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	if len(args) > 1 {
		name := args[1]
		if !strings.HasPrefix(name, "-") {
			cmd := app.Command(name)
			if cmd == nil {
				fmt.Fprintf(stderr, "sprintkit: unknown command %q\n", name)
				fmt.Fprintf(stderr, "sprintkit: hint: run 'sprintkit --help' to see the commands\n")
				return 2
			}
			args = append(append([]string{}, args[:2]...), intersperse(cmd, args[2:])...)
		}
	}
	err := app.RunContext(ctx, args)
	return report(stderr, err)
}

// debugEnabled reports whether SPRINTKIT_DEBUG=1 is set.
func debugEnabled() bool { return os.Getenv("SPRINTKIT_DEBUG") == "1" }
