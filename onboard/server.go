package onboard

import (
	"context"
	"io"
	"runtime"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/internal/goenv"
	"github.com/sprintkit/sprintkit/internal/state"
	"github.com/sprintkit/sprintkit/room"
)

// ServerSummary is what joining a sprint server (`sprintkit serve`) did:
// where the modules come from, and who holds which of the top targets.
type ServerSummary struct {
	URL         string            `json:"url"`
	Project     string            `json:"project"`
	Commit      string            `json:"commit"`
	Report      string            `json:"report"`
	EnvFile     string            `json:"env_file"`
	Env         map[string]string `json:"env"`
	ExportLines []string          `json:"-"`
	// Claims are the server's claims on the targets listed in the summary.
	Claims []room.Claim `json:"claims"`
}

// joinSprint points the go command at the sprint server's module proxy for
// the rest of setup and for the user's shell (.sprintkit/env), as setting
// up from an image does with the image's modules.
func joinSprint(ctx context.Context, rt *route, s *Summary) error {
	src := rt.src
	sp := src.sprint
	env := rt.environ()
	var vars []image.EnvVar
	for _, v := range append(sp.GoEnv("", goenv.Get(env, "GOPROXY"), goenv.Get(env, "GONOSUMDB")), sp.PipEnv()...) {
		vars = append(vars, image.EnvVar(v))
	}
	// claim finds the server here, with no --server.
	vars = append(vars, image.EnvVar{Key: room.ServerEnv, Value: sp.URLs.Home})
	rt.env = image.Environ(env, vars)
	ss := &ServerSummary{URL: sp.URLs.Home, Project: sp.Project, Commit: sp.Commit, Report: sp.URLs.Report,
		Env: map[string]string{}, ExportLines: image.ExportLines(vars, runtime.GOOS), Claims: []room.Claim{}}
	for _, v := range vars {
		ss.Env[v.Key] = v.Value
	}
	if _, err := state.Ensure(src.dir); err != nil {
		return err
	}
	ss.EnvFile = state.Path(src.dir, state.EnvFile)
	if err := state.WriteFile(ss.EnvFile, func(w io.Writer) error {
		return image.WriteEnv(w, vars, "Written by sprintkit setup from the sprint server "+sp.URLs.Home+": point go at its module proxy.")
	}); err != nil {
		return err
	}
	s.Server = ss
	return nil
}

// claimsOf returns the server's claims on targets; none when it cannot say.
func claimsOf(ctx context.Context, server string, targets []coverage.Target) []room.Claim {
	all, err := room.Claims(ctx, server)
	if err != nil {
		return []room.Claim{}
	}
	want := map[string]bool{}
	for _, t := range targets {
		want[t.Name] = true
	}
	out := []room.Claim{}
	for _, c := range all {
		if want[c.Target] {
			out = append(out, c)
		}
	}
	return out
}
