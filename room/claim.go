package room

import (
	"errors"
	"fmt"
	"time"
)

// Claim is one sprinter on one target.
type Claim struct {
	Target string    `json:"target"`
	Name   string    `json:"name"`
	Note   string    `json:"note,omitempty"`
	Since  time.Time `json:"since"`
	// Done is when the claimant said the work is done (`claim --done`;
	// the server's clock), nil while it goes on; Credit is what the work
	// added, as the claimant's checkout measured it.
	Done   *time.Time `json:"done,omitempty"`
	Credit *Credit    `json:"credit,omitempty"`
}

// ClaimDoc is the body of a claim request, and of its answer.
type ClaimDoc struct {
	Type    string `json:"type"` // "claim"
	Version int    `json:"version"`
	Claim
}

// Board is the document GET /claims serves.
type Board struct {
	Type    string  `json:"type"` // "claims"
	Version int     `json:"version"`
	Claims  []Claim `json:"claims"`
}

// ErrorDoc is the body of every JSON error response.
type ErrorDoc struct {
	Type    string `json:"type"` // "error"
	Version int    `json:"version"`
	Error   string `json:"error"`
	Claim   *Claim `json:"claim,omitempty"` // the claim in the way, on 409
}

// ErrClaimed says a target is held by someone else.
var ErrClaimed = errors.New("already claimed")

// ClaimedError names who holds a target.
type ClaimedError struct{ Claim Claim }

func (e *ClaimedError) Error() string {
	return fmt.Sprintf("%s is already claimed by %s since %s", e.Claim.Target, e.Claim.Name, e.Claim.Since.Format(time.RFC3339))
}
func (e *ClaimedError) Unwrap() error { return ErrClaimed }

// NotYoursError says a claim belongs to someone else than who asked to
// release it.
type NotYoursError struct{ Claim Claim }

func (e *NotYoursError) Error() string {
	return fmt.Sprintf("%s is claimed by %s: only they, or the organiser, can release it", e.Claim.Target, e.Claim.Name)
}
