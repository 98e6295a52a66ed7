package onboard

import (
	"context"
	"fmt"
	"strings"

	"github.com/sprintkit/sprintkit/checkout"
	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/project"
)

// deps downloads the Go modules the checkout needs (go mod download).
func deps(ctx context.Context, o Options, rt *route, proj *project.Project, s *Summary) error {
	if !proj.GoWork && !proj.Go {
		s.Notes = append(s.Notes, "no go.mod at the top: dependencies are fetched by the test run of each module")
		return nil
	}
	o.Events.step("deps", "downloading dependencies (go mod download)")
	bar := o.Events.bar("modules", -1, false)
	res, err := checkout.DownloadGo(ctx, s.Dir, rt.env, bar.Update)
	bar.Done()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return hint.With(err, depsHint(err)+fmt.Sprintf("; the checkout is in %s, finish with: %s setup %s", s.relDir, Self(), s.relDir))
	}
	s.Deps = &DepsSummary{Modules: res.Modules, Cached: res.Cached, Seconds: res.Duration.Seconds()}
	return nil
}

func depsHint(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "GOPROXY=off") || strings.Contains(s, "module lookup disabled"):
		return "the modules are not in your module cache and GOPROXY=off forbids fetching them: connect to the network and unset GOPROXY, or set up from an offline image (sprintkit setup --from-image)"
	case strings.Contains(s, "dial tcp") || strings.Contains(s, "no such host") || strings.Contains(s, "timeout"):
		return "the module proxy cannot be reached: check your network connection, or set up from an offline image (sprintkit setup --from-image)"
	case strings.Contains(s, "checksum mismatch") || strings.Contains(s, "SECURITY ERROR"):
		return "a downloaded module does not match go.sum: tell the project's maintainers; do not edit go.sum to make it pass"
	}
	return "run 'go mod download' in the checkout to see the whole error"
}
