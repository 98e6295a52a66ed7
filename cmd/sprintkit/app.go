package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/internal/human"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build info.
var version = ""

// buildVersion is the module version and the VCS revision the binary was
// built from, as the build info records them: "v1.2.0", or "devel
// 0123456789ab (modified) 2026-12-01T10:00:00Z" for a build from a checkout.
func buildVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = human.Commit(s.Value)
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev != "" && !strings.Contains(v, rev) {
		v += " " + rev
		if modified {
			v += " (modified)"
		}
		if at != "" {
			v += " " + at
		}
	}
	return v + " " + bi.GoVersion
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
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		Commands: []*cli.Command{
			setupCommand(),
			doctorCommand(),
			coverageCommand(),
			watchTestCommand(),
			copyCommand(),
			imageCommand(),
			serveCommand(),
			claimCommand(),
			completionCommand(),
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
		if !strings.HasPrefix(name, "-") && name != "help" && name != "h" {
			cmd := app.Command(name)
			if cmd == nil {
				fmt.Fprintf(stderr, "sprintkit: error: unknown command %q\n", name)
				if s := suggest(app, name); s != "" {
					fmt.Fprintf(stderr, "sprintkit: hint: did you mean 'sprintkit %s'? ('sprintkit help' lists the commands)\n", s)
				} else {
					fmt.Fprintf(stderr, "sprintkit: hint: run 'sprintkit help' to see the commands\n")
				}
				return 2
			}
			args = append(append([]string{}, args[:2]...), intersperse(cmd, args[2:])...)
		}
	}
	err := app.RunContext(ctx, args)
	return report(stderr, err)
}

// suggest returns the command whose name is closest to a mistyped one:
// within two edits, or the only command it is a prefix of; "" otherwise.
func suggest(app *cli.App, typed string) string {
	best, bestD := "", 3
	prefixed := []string{}
	for _, c := range app.Commands {
		for _, n := range c.Names() {
			if strings.HasPrefix(n, typed) {
				prefixed = append(prefixed, n)
			}
			if d := editDistance(typed, n); d < bestD {
				best, bestD = n, d
			}
		}
	}
	if best == "" && len(prefixed) == 1 {
		return prefixed[0]
	}
	return best
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// debugEnabled reports whether SPRINTKIT_DEBUG=1 is set.
func debugEnabled() bool { return os.Getenv("SPRINTKIT_DEBUG") == "1" }
