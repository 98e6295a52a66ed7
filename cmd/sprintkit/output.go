package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sprintkit/sprintkit/cmd/sprintkit/termui"
	"github.com/sprintkit/sprintkit/doctor"
	"github.com/sprintkit/sprintkit/onboard"
)

// say prints a progress line on stderr: "sprintkit: cloning ...".
func say(stderr io.Writer, format string, args ...any) {
	fmt.Fprintf(stderr, "sprintkit: "+format+"\n", args...)
}

// events draws a pipeline's progress on stderr: a line per step, the checks
// that need attention, and bars on a terminal only.
func events(stderr io.Writer) onboard.Events {
	return onboard.Events{
		Step:   func(_, msg string) { say(stderr, "%s", msg) },
		Checks: func(c []doctor.Check) { reportChecks(stderr, c) },
		Bar: func(label string, total int64, bytes bool) onboard.Bar {
			if p := termui.NewProgress(stderr, total, label, bytes); p != nil {
				return p
			}
			return nil
		},
		Warn: func(msg string) { say(stderr, "warning: %s", msg) },
		Debug: func(msg string) {
			if debugEnabled() {
				say(stderr, "debug: %s", msg)
			}
		},
	}
}

// writeJSON writes v as indented JSON: every document sprintkit prints has
// "type" and "version" fields (see README, "--format json").
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// formatFlag checks a --format value against the ones a command knows.
func formatFlag(cmd, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return usagef("%s: --format %q: want %s", cmd, value, strings.Join(allowed, ", "))
}

// printChecks writes one line per check, its hint under it when not ok.
func printChecks(w io.Writer, checks []doctor.Check, prefix string) {
	pad := strings.Repeat(" ", len(prefix))
	for i, c := range checks {
		p := pad
		if i == 0 {
			p = prefix
		}
		fmt.Fprintf(w, "%s%s %-36s %s\n", p, c.Status.Symbol(), c.Name, c.Detail)
		if c.Status != doctor.OK && c.Hint != "" {
			fmt.Fprintf(w, "%s  hint: %s\n", pad, c.Hint)
		}
	}
}

// reportChecks prints, as setup progresses, the checks that need attention
// and a count of the others.
func reportChecks(w io.Writer, checks []doctor.Check) {
	ok := 0
	for _, c := range checks {
		if c.Status == doctor.OK {
			ok++
			continue
		}
		say(w, "%s %s: %s", c.Status.Symbol(), c.Name, c.Detail)
		if c.Hint != "" {
			say(w, "  hint: %s", c.Hint)
		}
	}
	if ok > 0 {
		say(w, "✓ %d of %d checks passed", ok, len(checks))
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
