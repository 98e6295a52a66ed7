package serve

import "github.com/sprintkit/sprintkit/room"

// The documents the server serves are the room client's (package room),
// so that setup and claim read them without importing the server.
type (
	Sprint        = room.Sprint
	URLs          = room.URLs
	Board         = room.Board
	Claim         = room.Claim
	ClaimDoc      = room.ClaimDoc
	ClaimedError  = room.ClaimedError
	NotYoursError = room.NotYoursError
	ErrorDoc      = room.ErrorDoc
)

// SprintType and SprintVersion identify sprint.json.
const (
	SprintType    = room.SprintType
	SprintVersion = room.SprintVersion
)

// ErrClaimed is returned by Store.Claim for a target someone else holds.
var ErrClaimed = room.ErrClaimed
