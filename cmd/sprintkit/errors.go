package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/onboard"
)

// Exit codes, decided in one place (report): 0 success, 1 failure, 2 a
// usage error, 130 interrupted (SIGINT), 143 terminated (SIGTERM).

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

// withHint adds a "sprintkit: hint: ..." line under the error.
func withHint(err error, h string) error { return hint.With(err, h) }

// signalled is the signal that cancelled the run's context, set by main.
var signalled = func() syscall.Signal { return 0 }

// report prints err the way sprintkit prints every error and returns the
// exit code: "sprintkit: error: ..." with "sprintkit: hint: ..." below it,
// unlike progress lines ("sprintkit: cloning ...").
func report(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	var ee *exitError
	code := 1
	switch {
	case errors.As(err, &ue), errors.Is(err, onboard.ErrUsage):
		code = 2
	case errors.As(err, &ee):
		code = ee.code
	case errors.Is(err, context.Canceled):
		if signalled() == syscall.SIGTERM {
			fmt.Fprintln(stderr, "sprintkit: terminated")
			return 143
		}
		fmt.Fprintln(stderr, "sprintkit: interrupted")
		return 130
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(stderr, "sprintkit: error: %s\n", msg)
	}
	if h := hint.Of(err); h != "" {
		fmt.Fprintf(stderr, "sprintkit: hint: %s\n", h)
	}
	if code == 2 {
		fmt.Fprintln(stderr, "sprintkit: hint: run 'sprintkit help' or add --help to a command for its usage")
	}
	return code
}
