package room

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sprintkit/sprintkit/internal/hint"
)

// clientTimeout bounds one request of the client functions.
const clientTimeout = 30 * time.Second

var client = &http.Client{Timeout: clientTimeout}

// base returns server's URL with a final slash: "host:8765" and
// "http://host:8765/sprint.json" both become "http://host:8765/".
func base(server string) (string, error) {
	s := strings.TrimSpace(server)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("sprint server %q: not an http:// URL", server)
	}
	u.Path = strings.TrimSuffix(u.Path, "sprint.json")
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	return u.String(), nil
}

// Discover fetches server's sprint.json and returns it: how
// `sprintkit setup URL` tells a sprint server from a git host. An answer
// that is not a sprint document (another server, a 404) is an error
// wrapping ErrNotSprint.
func Discover(ctx context.Context, server string) (*Sprint, error) {
	b, err := base(server)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b+"sprint.json", nil)
	if err != nil {
		return nil, fmt.Errorf("sprint server %s: %w", b, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, hint.With(fmt.Errorf("sprint server %s: %w", b, err), "check the address on the organiser's screen, and that you are on the room's network")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("sprint server %s: %w", b, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("sprint server %s: sprint.json: %s: %w", b, resp.Status, ErrNotSprint)
	}
	var sp Sprint
	if err := json.Unmarshal(body, &sp); err != nil || sp.Type != SprintType {
		return nil, fmt.Errorf("sprint server %s: sprint.json is not a sprint document: %w", b, ErrNotSprint)
	}
	if sp.Version != SprintVersion {
		return nil, hint.With(fmt.Errorf("sprint server %s: sprint.json version %d, this sprintkit reads version %d", b, sp.Version, SprintVersion),
			"use the sprintkit the server offers: "+b+"bin/")
	}
	return &sp, nil
}

// ErrNotSprint says a server is not a sprint server.
var ErrNotSprint = errors.New("not a sprint server")

// PostClaim claims target on server as name, with an optional note and
// token, and returns the claim the server recorded. A target someone else
// holds is a *ClaimedError.
func PostClaim(ctx context.Context, server, token string, c Claim) (*Claim, error) {
	// The server judges the claim (its limits are serve.CheckClaim's);
	// the blanks a shell leaves around a name are not the user's.
	c.Target, c.Name, c.Note = strings.TrimSpace(c.Target), strings.TrimSpace(c.Name), strings.TrimSpace(c.Note)
	body, _ := json.Marshal(c)
	var got ClaimDoc
	if err := call(ctx, http.MethodPost, server, "claims", token, body, &got, c.Target); err != nil {
		return nil, err
	}
	return &got.Claim, nil
}

// ReleaseClaim releases the claim on target and returns it. as is the
// claimant's name: the server releases a claim only for its claimant, or
// for the organiser (the sprint's token, on a server that has one).
func ReleaseClaim(ctx context.Context, server, token, target, as string) (*Claim, error) {
	parts := strings.Split(strings.TrimSpace(target), "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	path := "claims/" + strings.Join(parts, "/")
	if as = strings.TrimSpace(as); as != "" {
		path += "?as=" + url.QueryEscape(as)
	}
	var got ClaimDoc
	if err := call(ctx, http.MethodDelete, server, path, token, nil, &got, target); err != nil {
		return nil, err
	}
	return &got.Claim, nil
}

// call sends one board request and decodes its answer into out.
func call(ctx context.Context, method, server, path, token string, body []byte, out any, target string) error {
	b, err := base(server)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, b+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("claim %s: %w", target, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return hint.With(fmt.Errorf("sprint server %s: %w", b, err), "check --server: the address on the organiser's screen")
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("sprint server %s: %w", b, err)
	}
	if resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("sprint server %s: %s: %w", b, path, err)
		}
		return nil
	}
	var e ErrorDoc
	if json.Unmarshal(data, &e) != nil || e.Error == "" {
		return fmt.Errorf("sprint server %s: %s %s: %s", b, method, path, resp.Status)
	}
	switch {
	case resp.StatusCode == http.StatusConflict && e.Claim != nil:
		return hint.With(&ClaimedError{Claim: *e.Claim}, "talk to "+e.Claim.Name+", or choose another target on "+b)
	case resp.StatusCode == http.StatusUnauthorized:
		return hint.With(errors.New(e.Error), "pass the sprint's token with --token (the organiser has it)")
	case resp.StatusCode == http.StatusForbidden:
		return hint.With(errors.New(e.Error), "release it as its claimant (--as NAME), or ask the organiser")
	case resp.StatusCode == http.StatusNotFound:
		return hint.With(errors.New(e.Error), "the targets are listed on "+b)
	}
	return errors.New(e.Error)
}

// Claims returns who holds which target on the sprint server.
func Claims(ctx context.Context, server string) ([]Claim, error) {
	var b Board
	if err := call(ctx, http.MethodGet, server, "claims", "", nil, &b, ""); err != nil {
		return nil, err
	}
	return b.Claims, nil
}
