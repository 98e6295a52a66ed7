package serve

import (
	"errors"
	"net"
	"testing"
	"time"
)

// flakyListener fails its first Accept as a process out of descriptors
// does, then accepts.
type flakyListener struct {
	net.Listener
	failed bool
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if !l.failed {
		l.failed = true
		return nil, errors.New("accept tcp: too many open files")
	}
	return l.Listener.Accept()
}

// TestAnAcceptErrorDoesNotStopTheServer fails one Accept: the per-client
// listener tries again and hands over the next connection, and Close ends
// it with net.ErrClosed.
func TestAnAcceptErrorDoesNotStopTheServer(t *testing.T) {
	inner, err := listenLoopback()
	must(t, err)
	var logged []string
	ln := limitClients(&flakyListener{Listener: inner}, func(f string, a ...any) { logged = append(logged, f) })
	c, err := dialLoopback(inner.Addr().String())
	must(t, err)
	defer c.Close()
	got := make(chan error, 1)
	go func() {
		sc, err := ln.Accept()
		if err == nil {
			sc.Close()
		}
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("Accept after a failed accept: %v, want the connection", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Accept never handed over the connection after one failed accept")
	}
	if len(logged) != 1 {
		t.Errorf("logged %q, want the failed accept once", logged)
	}
	ln.Close()
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
}
