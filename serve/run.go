package serve

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sprintkit/sprintkit/image"
)

// RunOptions says what `sprintkit serve` serves, where, and whom it tells.
type RunOptions struct {
	Options
	// Addr is HOST:PORT to listen on (see Listen).
	Addr string
	// URLFile, when set, receives the URL to give the room once the
	// server listens (written whole, then renamed into place).
	URLFile string
	// Verifying is called before the image is verified against its
	// manifest; Ready once it is served, with what to tell the room.
	Verifying func()
	Ready     func(Ready)
}

// Ready is what a running server tells the organiser.
type Ready struct {
	URLs     []string // to give the room, the first one first
	Manifest *image.Manifest
	DB       string // the claims database, absolute
	// GitErr is why the repository is not served over git, nil when it is.
	GitErr error
}

// Run listens, verifies and opens the image, then serves it until ctx is
// cancelled (nil then). It listens first, so that a port in use fails
// before a long verification.
func Run(ctx context.Context, o RunOptions) error {
	ln, urls, err := Listen(o.Addr)
	if err != nil {
		return err
	}
	if o.Verifying != nil {
		o.Verifying()
	}
	s, err := Open(ctx, o.Options)
	if err != nil {
		ln.Close()
		return err
	}
	defer s.Close()
	if o.URLFile != "" {
		if err := writeURLFile(o.URLFile, urls[0]); err != nil {
			ln.Close()
			return fmt.Errorf("--url-file: %w", err)
		}
	}
	db := o.DB
	if db == "" {
		db = DefaultDB(o.Image)
	}
	if abs, err := filepath.Abs(db); err == nil {
		db = abs
	}
	if o.Ready != nil {
		o.Ready(Ready{URLs: urls, Manifest: s.Manifest(), DB: db, GitErr: s.GitError()})
	}
	return s.Serve(ctx, ln)
}

// writeURLFile writes url into name, whole or not at all.
func writeURLFile(name, url string) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, []byte(url+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
