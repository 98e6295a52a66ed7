package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/sprintkit/sprintkit/internal/human"
	"github.com/sprintkit/sprintkit/serve"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "serve an image to the sprint room: git, a module proxy, the report and a claims board",
		ArgsUsage: "IMAGE",
		Description: `Verifies IMAGE (a directory 'sprintkit image' staged) against its
manifest, then serves it read-only over HTTP until Ctrl-C: the repository
for 'git clone URL/repo.git', a Go module proxy at URL/mod (GOPROXY), the
report, the baseline, sprint.json, and a landing page with the one command
to join and a board of who took which target. Claims are kept in
IMAGE.claims.db beside the image and survive a restart.

Example:
   sprintkit serve /media/usb/sprintbox
   sprintkit serve box/ --addr 10.0.0.5:8765 --token "$(openssl rand -hex 8)"

Sprinters then run the line the landing page shows, or:
   sprintkit setup http://10.0.0.5:8765/
   sprintkit claim example.com/hello/url --as Ana --server http://10.0.0.5:8765/`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: serve.DefaultAddr, Usage: "listen on `HOST:PORT` (an empty host: every interface)"},
			&cli.StringFlag{Name: "token", EnvVars: []string{"SPRINTKIT_TOKEN"}, Usage: "require `TOKEN` (Authorization: Bearer) to claim or release"},
			&cli.StringFlag{Name: "db", Usage: "the claims database `FILE`", DefaultText: "IMAGE.claims.db beside the image"},
			&cli.StringFlag{Name: "url-file", Usage: "once listening, write the URL to give the room to `FILE` (for scripts)"},
		},
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	ctx := c.Context
	stdout, stderr := c.App.Writer, c.App.ErrWriter
	if c.NArg() != 1 {
		return usagef("serve: want one image directory, got %s", human.Count(c.NArg(), "argument", "arguments"))
	}
	dir := c.Args().First()
	var db string
	err := serve.Run(ctx, serve.RunOptions{
		Options: serve.Options{
			Image: dir,
			DB:    c.String("db"),
			Token: c.String("token"),
			// Refused and failed requests, and git's own complaints, are
			// for the organiser to see.
			Logf: func(format string, args ...any) { say(stderr, "serve: "+format, args...) },
		},
		Addr:      c.String("addr"),
		URLFile:   c.String("url-file"),
		Verifying: func() { say(stderr, "verifying %s against its manifest", dir) },
		Ready: func(r serve.Ready) {
			db = r.DB
			printServing(stdout, stderr, dir, r, c.String("token") != "")
		},
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	say(stderr, "stopped; claims are kept in %s", db)
	return ctx.Err()
}

// printServing tells the organiser what to give the room.
func printServing(stdout, stderr io.Writer, dir string, r serve.Ready, token bool) {
	if r.GitErr != nil {
		say(stderr, "warning: %v", r.GitErr)
	}
	m, urls := r.Manifest, r.URLs
	fmt.Fprintf(stdout, "serving %s at %s from %s (%d files, %s)\n", m.Project, human.Commit(m.Commit), dir, m.TotalFiles, human.Bytes(m.TotalBytes))
	fmt.Fprintf(stdout, "give the room:  %s\n", urls[0])
	for _, u := range urls[1:] {
		fmt.Fprintf(stdout, "           or:  %s\n", u)
	}
	fmt.Fprintf(stdout, "join:           sprintkit setup %s\n", urls[0])
	fmt.Fprintf(stdout, "git:            git clone %srepo.git\n", urls[0])
	fmt.Fprintf(stdout, "modules:        GOPROXY=%smod\n", urls[0])
	fmt.Fprintf(stdout, "claims:         %s\n", r.DB)
	if token {
		fmt.Fprintf(stdout, "token:          required to claim (give it to the room)\n")
	}
	say(stderr, "serving until Ctrl-C")
}
