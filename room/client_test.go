package room

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestBaseNormalisesAServerAddress(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"a bare host:port gets http and a slash", "10.0.0.5:8765", "http://10.0.0.5:8765/"},
		{"sprint.json at the end is the server's", "http://10.0.0.5:8765/sprint.json", "http://10.0.0.5:8765/"},
		{"a query and a fragment are dropped", "https://room.example/sprint/?x=1#top", "https://room.example/sprint/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := base(tc.in)
			if err != nil || got != tc.want {
				t.Errorf("base(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	if _, err := base("ftp://room.example/"); err == nil {
		t.Error("base of an ftp URL: no error, want one")
	}
}

func TestDiscoverTellsASprintServerFromAnotherServer(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/sprint/sprint.json", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(Sprint{Type: SprintType, Version: SprintVersion, Project: "example.com/hello"})
	})
	mux.HandleFunc("/newer/sprint.json", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(Sprint{Type: SprintType, Version: SprintVersion + 1})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()
	sp, err := Discover(ctx, srv.URL+"/sprint/")
	if err != nil || sp.Project != "example.com/hello" {
		t.Fatalf("Discover of a sprint server: %+v, %v", sp, err)
	}
	if _, err := Discover(ctx, srv.URL+"/git/"); !errors.Is(err, ErrNotSprint) {
		t.Errorf("Discover of a 404: %v, want ErrNotSprint", err)
	}
	if _, err := Discover(ctx, srv.URL+"/newer/"); err == nil || errors.Is(err, ErrNotSprint) || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("Discover of a newer sprint.json: %v, want an error naming its version", err)
	}
}

func TestAClaimOnAHeldTargetNamesWhoHoldsIt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c ClaimDoc
		if err := json.NewDecoder(r.Body).Decode(&c); err != nil || c.Name != "Bo" || c.Target != "example.com/hello/url" {
			t.Errorf("claim sent: %+v, %v; want Bo on example.com/hello/url, trimmed", c, err)
		}
		w.WriteHeader(http.StatusConflict)
		json.NewEncoder(w).Encode(ErrorDoc{Type: "error", Version: 1, Error: "held", Claim: &Claim{Target: c.Target, Name: "Ana"}})
	}))
	defer srv.Close()
	_, err := PostClaim(context.Background(), srv.URL, "", Claim{Target: " example.com/hello/url ", Name: "Bo "})
	var ce *ClaimedError
	if !errors.As(err, &ce) || ce.Claim.Name != "Ana" || !errors.Is(err, ErrClaimed) {
		t.Errorf("PostClaim of a held target: %v, want a *ClaimedError naming Ana", err)
	}
}
