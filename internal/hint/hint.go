// Package hint attaches to an error what the user should do about it. The
// command line prints the error as "sprintkit: error: …" and the hint on the
// line below as "sprintkit: hint: …"; JSON summaries carry both.
package hint

import "errors"

type hinted struct {
	err  error
	hint string
}

func (e *hinted) Error() string { return e.err.Error() }
func (e *hinted) Unwrap() error { return e.err }
func (e *hinted) Hint() string  { return e.hint }

// With returns err with a hint; nil stays nil, and an empty hint adds none.
func With(err error, hint string) error {
	if err == nil || hint == "" {
		return err
	}
	return &hinted{err: err, hint: hint}
}

// Of returns the outermost hint in err's chain, "" when there is none.
func Of(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}
