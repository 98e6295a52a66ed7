package main

import (
	"context"
	"errors"
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

// usageError marks an error in how the command was called; it exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError carries an explicit exit code with an optional message, for
// commands whose outcome is not an error of sprintkit itself (for example,
// `copy` finishing with per-file errors, or tests failing).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// hintError adds a "sprintkit: hint: ..." line under the error.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

func withHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &hintError{err: err, hint: hint}
}

// errNotBuilt is returned by commands that do not exist yet.
func errNotBuilt(name string) error {
	return &exitError{code: 3, msg: fmt.Sprintf("%s is not built yet in this version of sprintkit", name)}
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

// report prints err the way sprintkit prints every error and returns the exit code.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	var ee *exitError
	var he *hintError
	code := 1
	switch {
	case errors.As(err, &ue):
		code = 2
	case errors.As(err, &ee):
		code = ee.code
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "sprintkit: interrupted")
		return 130
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(stderr, "sprintkit: %s\n", msg)
	}
	// Errors of the engines may carry their own hint (coverage.VenvError).
	if hinter := (interface{ Hint() string })(nil); errors.As(err, &hinter) && hinter.Hint() != "" {
		fmt.Fprintf(stderr, "sprintkit: hint: %s\n", hinter.Hint())
	}
	if errors.As(err, &he) && he.hint != "" {
		fmt.Fprintf(stderr, "sprintkit: hint: %s\n", he.hint)
	}
	if code == 2 && ue != nil {
		fmt.Fprintln(stderr, "sprintkit: hint: run 'sprintkit help' or add --help to a command for its usage")
	}
	return code
}

// debugEnabled reports whether SPRINTKIT_DEBUG=1 is set.
func debugEnabled() bool { return os.Getenv("SPRINTKIT_DEBUG") == "1" }
