package pytest

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// The pytest plugin that reports progress: after collection and after each
// test it replaces $SPRINTKIT_PROGRESS with one line "done total" (a reader
// may see the file empty for a moment, and then skips that poll).
const pyProgressPlugin = `import os
_state = {"done": 0, "total": 0}
def _emit():
    path = os.environ.get("SPRINTKIT_PROGRESS")
    if path:
        with open(path, "w") as f:
            f.write("%d %d\n" % (_state["done"], _state["total"]))
def pytest_collection_finish(session):
    _state["total"] = len(session.items)
    _emit()
def pytest_runtest_logfinish(nodeid, location):
    _state["done"] += 1
    _emit()
`

// watchProgress polls the progress file and calls progress with its last
// line until stop is called.
func watchProgress(file string, progress func(done, total int)) (stop func()) {
	if progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	last := ""
	poll := func() {
		b, err := os.ReadFile(file)
		if err != nil {
			return
		}
		l := strings.TrimSpace(string(b)) // one line
		if l == last {
			return
		}
		last = l
		var d, t int
		if _, err := fmt.Sscanf(l, "%d %d", &d, &t); err == nil {
			progress(d, t)
		}
	}
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				poll()
				return
			case <-tick.C:
				poll()
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
