package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/net/netutil"

	"github.com/sprintkit/sprintkit/image"
	"github.com/sprintkit/sprintkit/internal/hint"
)

// DefaultAddr is where serve listens unless told otherwise: every
// interface, so that the room can reach it.
const DefaultAddr = ":8765"

// Limits of one server.
const (
	MaxConns      = 256             // connections open at once
	MaxGit        = 16              // git http-backend processes at once
	maxClaimBody  = 64 << 10        // a claim request (with its credit)
	maxGitBody    = 32 << 20        // a fetch negotiation (wants and haves)
	shutdownGrace = 5 * time.Second // running requests get this long to finish
	readTime      = time.Minute
	writeTime     = 15 * time.Minute // a clone or a big zip over slow Wi-Fi
	idleTime      = time.Minute
)

// readHeaderTime is how long a client has to send its request's headers
// (a variable for tests).
var readHeaderTime = 10 * time.Second

// Options says what to serve and how.
type Options struct {
	Image string // the image directory
	// DB is the claims database; "" means IMAGE.claims.db beside the image.
	DB string
	// Token, when set, is required (Authorization: Bearer) to claim or
	// release a target.
	Token string
	// Progress, when set, is called while the image is verified.
	Progress func(image.HashProgress)
	// Logf, when set, receives one line per refused or failed request.
	Logf func(format string, args ...any)
}

// Server serves one verified image. Open it, Serve it, Close it.
type Server struct {
	dir      string
	manifest *image.Manifest
	token    string
	logf     func(string, ...any)

	roots   map[string]*os.Root // "repo", "mod", "report", "bin", "top"
	targets []Target
	claims  *Store
	gitSem  chan struct{}
	gitUsed *clientSems  // git processes per client
	git     http.Handler // nil when git http-backend is missing
	gitErr  error
	handler http.Handler
}

// DefaultDB returns the claims database beside the image dir.
func DefaultDB(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	abs = filepath.Clean(abs)
	return abs + ".claims.db"
}

// Open verifies the image in opts.Image against its manifest, opens the
// claims database and returns a server for them. Nothing is served until
// Serve.
func Open(ctx context.Context, opts Options) (*Server, error) {
	db := opts.DB
	if db == "" {
		db = DefaultDB(opts.Image)
	}
	if inside(opts.Image, db) {
		return nil, hint.With(fmt.Errorf("claims database %s is inside the image %s, which must hold only what its manifest lists", db, opts.Image),
			"keep it beside the image: leave --db out (IMAGE.claims.db), or name a file outside")
	}
	m, err := image.ReadManifest(opts.Image)
	if err != nil {
		return nil, hint.With(err, "serve the directory 'sprintkit image --out DIR' wrote, after it finished")
	}
	if err := image.Verify(ctx, opts.Image, m, image.VerifyOptions{Progress: opts.Progress}); err != nil {
		if hint.Of(err) != "" {
			return nil, err
		}
		return nil, hint.With(err, "stage the image again ('sprintkit image --out "+opts.Image+"'): nothing is served from an image that differs from its manifest")
	}
	s := &Server{
		dir:      opts.Image,
		manifest: m,
		token:    opts.Token,
		logf:     opts.Logf,
		roots:    map[string]*os.Root{},
		gitSem:   make(chan struct{}, MaxGit),
		gitUsed:  newClientSems(MaxClientGit),
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	for name, sub := range map[string]string{
		"top": ".", "mod": image.ProxyDir, "report": image.ReportDir, "bin": image.BinDir,
	} {
		r, err := os.OpenRoot(filepath.Join(opts.Image, filepath.FromSlash(sub)))
		if errors.Is(err, os.ErrNotExist) && name != "top" {
			continue // an image without a report (--no-report), say
		}
		if err != nil {
			return nil, fmt.Errorf("open image %s: %w", opts.Image, err)
		}
		s.roots[name] = r
	}
	s.targets, err = readTargets(s.roots["top"])
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", opts.Image, err)
	}
	s.claims, err = OpenStore(db)
	if err != nil {
		return nil, err
	}
	s.git, s.gitErr = gitHandler(filepath.Join(opts.Image, image.RepoDir), s.logf)
	s.handler = s.routes()
	ok = true
	return s, nil
}

// inside reports whether file is dir or below it (after making both
// absolute and resolving the symlinks of what exists).
func inside(dir, file string) bool {
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			return filepath.Clean(p)
		}
		if r, err := filepath.EvalSymlinks(a); err == nil {
			return r
		}
		if r, err := filepath.EvalSymlinks(filepath.Dir(a)); err == nil {
			return filepath.Join(r, filepath.Base(a))
		}
		return a
	}
	rel, err := filepath.Rel(abs(dir), abs(file))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Manifest returns the verified manifest of the image.
func (s *Server) Manifest() *image.Manifest { return s.manifest }

// GitError says why the repository is not served (git http-backend
// missing), nil when it is.
func (s *Server) GitError() error { return s.gitErr }

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close closes the claims database and the image's directories.
func (s *Server) Close() error {
	var err error
	if s.claims != nil {
		err = s.claims.Close()
		s.claims = nil
	}
	for k, r := range s.roots {
		r.Close()
		delete(s.roots, k)
	}
	return err
}

// Listen listens on addr (HOST:PORT; an empty host means every interface)
// and returns the listener with the URLs to give the room: one per
// non-loopback address it listens on, then loopback.
func Listen(addr string) (net.Listener, []string, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, hint.With(fmt.Errorf("listen on %s: %w", addr, err), "choose another port with --addr HOST:PORT, or stop what is using this one")
	}
	return ln, ListenURLs(ln.Addr().(*net.TCPAddr)), nil
}

// ListenURLs returns the http URLs under which a listener on a is reachable: a
// specific address as itself; the unspecified address (0.0.0.0, ::) as
// each address of this machine's interfaces, non-loopback first (IPv4
// before IPv6; link-local IPv6 left out, it needs a zone), then loopback.
func ListenURLs(a *net.TCPAddr) []string {
	port := fmt.Sprint(a.Port)
	url := func(ip net.IP) string { return "http://" + net.JoinHostPort(ip.String(), port) + "/" }
	if !a.IP.IsUnspecified() {
		return []string{url(a.IP)}
	}
	v4only := a.IP.To4() != nil && !strings.Contains(a.String(), "[::]")
	var outer4, outer6, loop []string
	addrs, _ := net.InterfaceAddrs()
	for _, ad := range addrs {
		n, ok := ad.(*net.IPNet)
		if !ok || n.IP.IsLinkLocalUnicast() || n.IP.IsMulticast() {
			continue
		}
		if v4only && n.IP.To4() == nil {
			continue
		}
		switch {
		case n.IP.IsLoopback():
			loop = append(loop, url(n.IP))
		case n.IP.To4() != nil:
			outer4 = append(outer4, url(n.IP))
		default:
			outer6 = append(outer6, url(n.IP))
		}
	}
	if len(loop) == 0 {
		loop = []string{url(net.IPv4(127, 0, 0, 1))}
	}
	return append(append(outer4, outer6...), loop...)
}

// Serve serves ln until ctx is cancelled, then shuts down: no new
// connections, running requests get a few seconds, the rest are closed.
// It returns nil after a shutdown ctx asked for.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           paced(s.handler),
		ReadHeaderTimeout: readHeaderTime,
		ReadTimeout:       readTime,
		WriteTimeout:      writeTime,
		IdleTimeout:       idleTime,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(netutil.LimitListener(limitClients(ln, s.logf), MaxConns)) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	return nil
}

// writeJSON writes v as an indented JSON document with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, ErrorDoc{Type: "error", Version: 1, Error: msg})
}
