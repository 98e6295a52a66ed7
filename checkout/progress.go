package checkout

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Clone progress
//
// go-git hands over the server's side-band progress text, the lines `git
// clone` shows: "Enumerating objects: 5000, done.", "Counting objects:  40%
// (2000/5000)", "Compressing objects: 100% (4000/4000), done.", "Total 5000
// (delta 0), reused 0 (delta 0), pack-reused 0". The lines end in "\r" while
// they update and "\n" when done, and may be split across writes.
// The objects count comes from those lines. go-git itself reports no bytes,
// so the bytes come from the size of the pack file it is writing under
// .git/objects/pack, polled every 200 ms.

var progressRE = regexp.MustCompile(`^([A-Za-z ]+):\s+(\d+)% \((\d+)/(\d+)\)`)
var countRE = regexp.MustCompile(`^(Enumerating|Counting) objects: (\d+)`)

type progressWriter struct {
	dir   string
	start time.Time
	fn    func(Progress)

	mu      sync.Mutex
	cur     Progress
	partial string
	last    time.Time
	quit    chan struct{}
	wg      sync.WaitGroup
}

func newProgressWriter(dir string, start time.Time, fn func(Progress)) *progressWriter {
	return &progressWriter{dir: dir, start: start, fn: fn, quit: make(chan struct{})}
}

// Write receives side-band progress text.
func (p *progressWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.partial += string(b)
	for {
		i := strings.IndexAny(p.partial, "\r\n")
		if i < 0 {
			break
		}
		p.line(p.partial[:i])
		p.partial = p.partial[i+1:]
	}
	if len(p.partial) > 4096 {
		p.partial = ""
	}
	return len(b), nil
}

func (p *progressWriter) line(s string) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "remote:"))
	if m := progressRE.FindStringSubmatch(s); m != nil {
		done, _ := strconv.Atoi(m[3])
		total, _ := strconv.Atoi(m[4])
		phase := strings.ToLower(strings.Fields(m[1])[0])
		p.cur.Phase, p.cur.Objects, p.cur.TotalObjects = phase, done, total
		p.emitLocked(done == total) // a phase's end always gets through
		return
	}
	if m := countRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		p.cur.Phase, p.cur.Objects, p.cur.TotalObjects = "counting", n, n
		p.emitLocked(false)
	}
	if strings.HasPrefix(s, "Total ") {
		if f := strings.Fields(s); len(f) > 1 {
			if n, err := strconv.Atoi(f[1]); err == nil {
				p.cur.Objects, p.cur.TotalObjects = n, n
			}
		}
	}
}

// emitLocked calls fn, at most every 200 ms unless force is set.
func (p *progressWriter) emitLocked(force bool) {
	now := time.Now()
	if !force && now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	if el := now.Sub(p.start).Seconds(); el > 0 {
		p.cur.Rate = float64(p.cur.Bytes) / el
	}
	p.fn(p.cur)
}

func (p *progressWriter) report(phase string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cur.Phase = phase
	p.emitLocked(true)
}

// poll watches the pack file grow until stop or ctx ends. When the pack
// stops growing after it started, the next phase is the checkout.
func (p *progressWriter) poll(ctx context.Context) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			n, final := packState(p.dir)
			p.mu.Lock()
			switch {
			case final && p.cur.Phase != "checkout":
				p.cur.Bytes = n
				p.cur.Phase = "checkout"
				p.emitLocked(true)
			case !final && n > p.cur.Bytes:
				p.cur.Bytes = n
				p.cur.Phase = "receiving"
				p.emitLocked(true)
			}
			p.mu.Unlock()
		}
	}()
}

// packState returns the bytes of pack data under dir/.git/objects/pack and
// whether a finished pack (renamed from tmp_pack_* to pack-*.pack) is there.
func packState(dir string) (n int64, final bool) {
	ents, _ := os.ReadDir(filepath.Join(dir, ".git", "objects", "pack"))
	for _, e := range ents {
		name := e.Name()
		isFinal := strings.HasPrefix(name, "pack-") && strings.HasSuffix(name, ".pack")
		if !isFinal && !strings.HasPrefix(name, "tmp_pack") {
			continue
		}
		final = final || isFinal
		if fi, err := e.Info(); err == nil {
			n += fi.Size()
		}
	}
	return n, final
}

// stop ends polling. A nil *progressWriter is valid.
func (p *progressWriter) stop() {
	if p == nil {
		return
	}
	select {
	case <-p.quit:
	default:
		close(p.quit)
	}
	p.wg.Wait()
}
