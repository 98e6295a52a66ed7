package serve

import (
	"bufio"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// dialFrom connects to addr from the loopback address local: on Linux all
// of 127.0.0.0/8 is loopback, so each address is another client.
func dialFrom(t *testing.T, local, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", local, err)
	}
	return c
}

// TestOneClientCannotStopTheRoom has a client on 127.0.0.2 hold 300 idle
// connections (more than MaxConns) and another on 127.0.0.3 trickle claim
// bodies a byte every second and a half, while a sprinter on 127.0.0.1 still gets
// its answers, and the trickled requests are cut off.
func TestOneClientCannotStopTheRoom(t *testing.T) {
	old := bodyGrace
	t.Cleanup(func() { bodyGrace = old }) // runs last, once the server has stopped
	bodyGrace = time.Second
	img := fixtureImage(t)
	_, url := startServer(t, Options{Image: img, DB: filepath.Join(t.TempDir(), "c.db")})
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")
	var conns []net.Conn
	var mu sync.Mutex
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	for range 300 {
		conns = append(conns, dialFrom(t, "127.0.0.2", addr))
	}
	const tricklers = 40
	cut := make(chan error, tricklers)
	stop := make(chan struct{})
	defer close(stop)
	for range tricklers {
		c := dialFrom(t, "127.0.0.3", addr)
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
		head := "POST /claims HTTP/1.1\r\nHost: room\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
		if _, err := c.Write([]byte(head)); err != nil {
			t.Fatal(err)
		}
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(1500 * time.Millisecond):
				}
				if _, err := c.Write([]byte("{")); err != nil {
					return
				}
			}
		}()
		go func() {
			// The server answers (an error) and hangs up once the body is late.
			c.SetReadDeadline(time.Now().Add(time.Minute))
			_, err := bufio.NewReader(c).ReadString('\n')
			cut <- err
		}()
	}
	time.Sleep(500 * time.Millisecond) // let the server take the greedy connections in

	client := &http.Client{Timeout: 5 * time.Second} // generous: the point is "answered", not a timing
	for _, path := range []string{"sprint.json", "claims", ""} {
		resp, err := client.Get(url + path)
		if err != nil {
			t.Fatalf("GET /%s from 127.0.0.1 while the others hold the server: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET /%s: %d", path, resp.StatusCode)
		}
	}
	resp, err := client.Post(url+"claims", "application/json", strings.NewReader(`{"target":"example.com/hello","name":"Ana"}`))
	if err != nil {
		t.Fatalf("a claim from 127.0.0.1 while the others hold the server: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Errorf("the claim: %d, want 201", resp.StatusCode)
	}
	for range tricklers {
		select {
		case err := <-cut:
			if err != nil && strings.Contains(err.Error(), "timeout") {
				t.Fatalf("a trickled request still held its connection after a minute: %v", err)
			}
		case <-time.After(2 * time.Minute):
			t.Fatal("the trickled requests were never cut off")
		}
	}
}
