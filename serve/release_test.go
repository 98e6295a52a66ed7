package serve

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/room"
)

func TestReleasingNeedsTheClaimantOrTheOrganiser(t *testing.T) {
	img := fixtureImage(t)
	ctx := context.Background()
	_, open := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "open.db")})
	_, guarded := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "guarded.db"), Token: "s3cret"})
	tests := []struct {
		name, server, token, as string
		wantErr                 string // "" when the release succeeds
	}{
		{name: "someone else's name is refused", server: open, as: "Bo", wantErr: "claimed by Ana: only they, or the organiser, can release it"},
		{name: "no name on a server without a token is refused", server: open, wantErr: "needs the claimant's name"},
		{name: "the claimant releases their claim", server: open, as: "Ana"},
		{name: "with the token, someone else's name is still refused", server: guarded, token: "s3cret", as: "Bo", wantErr: "only they, or the organiser"},
		{name: "the organiser's token releases any claim", server: guarded, token: "s3cret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := room.PostClaim(ctx, tt.server, tt.token, Claim{Target: "example.com/hello/url", Name: "Ana"}); err != nil {
				t.Fatalf("PostClaim: %v", err)
			}
			got, err := room.ReleaseClaim(ctx, tt.server, tt.token, "example.com/hello/url", tt.as)
			switch {
			case tt.wantErr == "" && (err != nil || got.Name != "Ana"):
				t.Fatalf("release: %+v, %v", got, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("release: error %v, want %q", err, tt.wantErr)
			}
			board, err := room.Claims(ctx, tt.server)
			if err != nil {
				t.Fatal(err)
			}
			if held := len(board) == 1; held != (tt.wantErr != "") {
				t.Errorf("board after the release = %+v", board)
			}
		})
	}
}
