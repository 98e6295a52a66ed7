package gotest

import (
	"runtime"
	"sync"
)

// prescan scans sources while the profile that names them is still being
// read: Listing.Prescan is given each file name as the merger first meets it
// (Merger.OnFile), and the sources its module path places are scanned in
// the background, on all cores but the one reading the profile. Result then
// scans only what is left, as scanUntil and buildGoResult do.
type prescan struct {
	sem  chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	seen map[string]bool         // profile file names given
	out  map[string]*scannedFile // by path
}

// Prescan starts scanning the source of a profile's file name, found by its
// module path alone, if it is there. It may be called from one goroutine
// at a time (the one reading the profile), before Result or Stop.
func (l *Listing) Prescan(fileName string) {
	if l.proj == nil {
		return
	}
	if l.pre == nil {
		l.pre = &prescan{sem: make(chan struct{}, max(runtime.GOMAXPROCS(0)-1, 1)),
			seen: map[string]bool{}, out: map[string]*scannedFile{}}
	}
	p := l.pre
	if p.seen[fileName] {
		return
	}
	p.seen[fileName] = true
	keep := l.keep
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.sem <- struct{}{}
		defer func() { <-p.sem }()
		_, base := splitGoFileName(fileName)
		path := locateGoFile(l.proj, nil, fileName, base, nil)
		if path == "" {
			return
		}
		s := scanGoFile(path, keep)
		p.mu.Lock()
		p.out[path] = s
		p.mu.Unlock()
	}()
}

// wait waits for the scans started and returns them by path, and the file
// names given; nil for a listing that was given none.
func (p *prescan) wait() (map[string]*scannedFile, map[string]bool) {
	if p == nil {
		return nil, nil
	}
	p.wg.Wait()
	return p.out, p.seen
}
