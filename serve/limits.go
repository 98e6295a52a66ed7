package serve

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Per-client shares: no client (one remote IP) holds more than these, so
// that one laptop, by mistake or on purpose, cannot stop the room.
const (
	MaxClientConns = MaxConns / 8 // connections of one client served at once
	MaxClientGit   = MaxGit / 4   // git processes of one client at once; its next requests wait
	// A request body must arrive at minBodyRate bytes a second on average,
	// counted after bodyGrace: a body trickled a byte at a time is cut off
	// within seconds instead of holding its connection (and a git slot)
	// until the read timeout.
	minBodyRate = 4 << 10
)

// bodyGrace is how long a request body may take before minBodyRate counts
// (a variable for tests).
var bodyGrace = 5 * time.Second

// clientIP is the remote IP of a connection or request address, the key of
// every per-client share.
func clientIP(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

// clientSems gives each client a semaphore of its own, so that one
// client's requests beyond its share wait behind each other rather than
// take what the others need.
type clientSems struct {
	mu   sync.Mutex
	max  int
	sems map[string]*clientSem
}

type clientSem struct {
	ch    chan struct{}
	users int // holding or waiting
}

func newClientSems(max int) *clientSems { return &clientSems{max: max, sems: map[string]*clientSem{}} }

// acquire waits for one of client's units, or until ctx is done.
func (c *clientSems) acquire(ctx context.Context, client string) error {
	c.mu.Lock()
	s := c.sems[client]
	if s == nil {
		s = &clientSem{ch: make(chan struct{}, c.max)}
		c.sems[client] = s
	}
	s.users++
	c.mu.Unlock()
	select {
	case s.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		c.drop(client, s)
		return ctx.Err()
	}
}

func (c *clientSems) release(client string) {
	c.mu.Lock()
	s := c.sems[client]
	c.mu.Unlock()
	<-s.ch
	c.drop(client, s)
}

func (c *clientSems) drop(client string, s *clientSem) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.users--; s.users == 0 {
		delete(c.sems, client)
	}
}

// clientListener hands the server at most MaxClientConns connections of
// one client at once. The client's next MaxClientConns connections wait,
// accepted but not yet read, for one of its own to close (MaxConns wait at
// most, all clients together); more than that are closed at once. So the global limit (MaxConns, outside it) is never
// taken by one client, and a client that opens many connections (twenty
// clones behind one address) is served in turn.
type clientListener struct {
	net.Listener
	logf  func(string, ...any)
	ready chan net.Conn
	errc  chan error
	done  chan struct{}
	once  sync.Once

	mu      sync.Mutex
	held    map[string]int
	parked  map[string][]net.Conn
	waiting int // parked connections of every client, at most MaxConns
}

func limitClients(ln net.Listener, logf func(string, ...any)) net.Listener {
	l := &clientListener{Listener: ln, logf: logf, ready: make(chan net.Conn), errc: make(chan error, 1),
		done: make(chan struct{}), held: map[string]int{}, parked: map[string][]net.Conn{}}
	go l.acceptLoop()
	return l
}

func (l *clientListener) acceptLoop() {
	var pause time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil && !errors.Is(err, net.ErrClosed) {
			// Out of descriptors, say: wait and try again, as
			// http.Server does, rather than stop serving.
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			l.logf("accept: %v; trying again in %v", err, pause)
			select {
			case <-time.After(pause):
				continue
			case <-l.done:
				err = net.ErrClosed
			}
		}
		if err != nil {
			l.errc <- err
			return
		}
		pause = 0
		ip := clientIP(c.RemoteAddr().String())
		l.mu.Lock()
		switch {
		case l.held[ip] < MaxClientConns:
			l.held[ip]++
			l.mu.Unlock()
			l.handOver(c, ip)
		case len(l.parked[ip]) < MaxClientConns && l.waiting < MaxConns:
			l.parked[ip] = append(l.parked[ip], c)
			l.waiting++
			l.mu.Unlock()
		default:
			l.mu.Unlock()
			c.Close()
			l.logf("%s has %d connections open and %d waiting: one more refused", ip, MaxClientConns, MaxClientConns)
		}
	}
}

// handOver gives the server c, which already counts in its client's share.
func (l *clientListener) handOver(c net.Conn, ip string) {
	cc := &clientConn{Conn: c}
	cc.release = func() { l.closed(ip) }
	select {
	case l.ready <- cc:
	case <-l.done:
		c.Close()
	}
}

// closed moves the client's next waiting connection in, or gives back the
// closed one's place.
func (l *clientListener) closed(ip string) {
	l.mu.Lock()
	if q := l.parked[ip]; len(q) > 0 {
		next := q[0]
		if l.parked[ip] = q[1:]; len(l.parked[ip]) == 0 {
			delete(l.parked, ip)
		}
		l.waiting--
		l.mu.Unlock()
		go l.handOver(next, ip)
		return
	}
	if l.held[ip]--; l.held[ip] <= 0 {
		delete(l.held, ip)
	}
	l.mu.Unlock()
}

func (l *clientListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case err := <-l.errc:
		l.errc <- err // every later Accept gets it too
		return nil, err
	}
}

func (l *clientListener) Close() error {
	err := l.Listener.Close()
	l.once.Do(func() {
		close(l.done)
		l.mu.Lock()
		defer l.mu.Unlock()
		for ip, q := range l.parked {
			for _, c := range q {
				c.Close()
			}
			delete(l.parked, ip)
		}
	})
	return err
}

type clientConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *clientConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// paced makes every request body arrive at minBodyRate after bodyGrace:
// before each read it moves the connection's read deadline to when the
// bytes read so far were due, plus the grace.
func paced(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &pacedBody{ReadCloser: r.Body, rc: http.NewResponseController(w), start: time.Now()}
		}
		h.ServeHTTP(w, r)
	})
}

type pacedBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	n     int64
}

func (b *pacedBody) Read(p []byte) (int, error) {
	due := b.start.Add(bodyGrace + time.Duration(b.n)*time.Second/minBodyRate)
	b.rc.SetReadDeadline(due)
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		// The whole body is in: the response may take its time (a clone),
		// and the server's own read of the next request sets its deadline.
		b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
