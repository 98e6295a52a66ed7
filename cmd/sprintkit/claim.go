package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/onboard"
	"github.com/sprintkit/sprintkit/room"
)

func claimCommand() *cli.Command {
	return &cli.Command{
		Name:      "claim",
		Usage:     "claim a sprint target on the room's board (or release it)",
		ArgsUsage: "TARGET",
		Description: `Tells the sprint server ('sprintkit serve') that you are working on
TARGET, a target of its landing page, so that nobody else starts on it; with
--release, that you stopped (as the claimant, --as, or as the organiser,
--token). TARGET is a name as the targets list it: a package, a file or a
function. The board shows who is on what since when.

With --done you say the work on TARGET is done: claim runs the tests with
coverage in the checkout (as 'sprintkit coverage --diff' does) and posts
what your work added against the baseline, which the board shows beside
the claim: "done · +3 statements (14.3% → 15.7%), Parse07 now fully
covered; 1 test (TestParse07)".

In a checkout set up from the sprint server ('sprintkit setup URL'), the
server is the one .sprintkit/env records; elsewhere pass --server.

Example:
   sprintkit claim example.com/hello/url --as Ana
   sprintkit claim example.com/hello/url --done --as Ana
   sprintkit claim example.com/hello/url --release --as Ana
   sprintkit claim example.com/hello/url --as Ana --server http://10.0.0.5:8765/`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "as", Usage: "your `NAME` on the board (required to claim, and to release your claim)"},
			&cli.StringFlag{Name: "note", Usage: "a short `NOTE` beside your name"},
			&cli.StringFlag{Name: "server", EnvVars: []string{"SPRINTKIT_SERVER"}, Usage: "the sprint server's `URL`"},
			&cli.StringFlag{Name: "token", EnvVars: []string{"SPRINTKIT_TOKEN"}, Usage: "the sprint's `TOKEN`, when the server wants one"},
			&cli.BoolFlag{Name: "release", Usage: "release the claim instead"},
			&cli.BoolFlag{Name: "done", Usage: "say the work is done: measure what it added against the baseline and post it to the board"},
			&cli.StringFlag{Name: "dir", Value: ".", Usage: "the checkout (`DIR`) whose server, and with --done whose work, claim uses"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output as `text|json`"},
		},
		Action: runClaim,
	}
}

func runClaim(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("claim: want one target, got %s", human.Count(c.NArg(), "argument", "arguments"))
	}
	if err := formatFlag("claim", c.String("format"), "text", "json"); err != nil {
		return err
	}
	if c.Bool("done") && c.Bool("release") {
		return usagef("claim: --done and --release do not go together: --done keeps the claim on the board, with what it added")
	}
	server := c.String("server")
	if server == "" {
		// setup from a sprint server recorded it in the checkout.
		server, _ = room.RecordedServer(c.String("dir"))
	}
	if server == "" {
		return withHint(fmt.Errorf("claim: no sprint server"), "pass --server URL (the address on the organiser's screen), set SPRINTKIT_SERVER, or run this in a checkout set up from the server")
	}
	target := c.Args().First()
	var got *room.Claim
	var err error
	verb := "claimed"
	switch {
	case c.Bool("release"):
		verb = "released"
		if c.String("as") == "" && c.String("token") == "" {
			return usagef("claim --release: say whose claim it is with --as NAME (or, as the organiser, pass --token)")
		}
		got, err = room.ReleaseClaim(c.Context, server, c.String("token"), target, c.String("as"))
	case c.String("as") == "":
		return usagef("claim: --as NAME is required to claim (the board shows it)")
	case c.Bool("done"):
		verb = "done"
		got, err = postDone(c, server, target)
	default:
		got, err = room.PostClaim(c.Context, server, c.String("token"), room.Claim{Target: target, Name: c.String("as"), Note: c.String("note")})
	}
	if err != nil {
		return fmt.Errorf("claim: %w", err)
	}
	if c.String("format") == "json" {
		return writeJSON(c.App.Writer, room.ClaimDoc{Type: "claim", Version: 1, Claim: *got})
	}
	fmt.Fprintf(c.App.Writer, "%s %s (%s, since %s)\n", verb, got.Target, got.Name, got.Since.Local().Format("15:04"))
	if got.Credit != nil {
		fmt.Fprintf(c.App.Writer, "  %s\n", got.Credit)
	}
	return nil
}

// postDone measures what the checkout's work added and posts it with the
// claim, marked done.
func postDone(c *cli.Context, server, target string) (*room.Claim, error) {
	credit, err := onboard.ClaimDone(c.Context, c.String("dir"), events(c.App.ErrWriter))
	if err != nil {
		return nil, fmt.Errorf("--done: %w", err)
	}
	now := time.Now()
	return room.PostClaim(c.Context, server, c.String("token"), room.Claim{Target: target, Name: c.String("as"), Note: c.String("note"), Done: &now, Credit: credit})
}
