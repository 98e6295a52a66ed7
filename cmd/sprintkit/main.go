// Command sprintkit turns "I just arrived at the sprint" into "my first test is running".
//
// main is an adapter: it builds the urfave/cli application, runs it, and maps
// the error it returns to an exit code in one place (see report).
package main

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/sprintkit/sprintkit/internal/proc"
)

func main() { os.Exit(runMain()) }

// runMain runs sprintkit with the process's arguments and signals.
func runMain() int {
	// Every child's (and sprintkit's own) temporary files go to a root of
	// sprintkit's, removed on every way out, the signals' too.
	removeTemp := func() {}
	if root, err := proc.NewTempRoot(); err == nil {
		removeTemp = func() { root.Remove() }
	}
	defer removeTemp()
	ctx, cancel := context.WithCancel(context.Background())
	// SIGINT and SIGTERM cancel the context: every child runs in its own
	// process group (internal/proc) and is stopped with it, temporary
	// directories are removed on the way out, and the exit code says which
	// signal it was (130 or 143). A second signal exits at once.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var got atomic.Int32
	go func() {
		s := <-sigs
		if s == syscall.SIGTERM {
			got.Store(int32(syscall.SIGTERM))
		} else {
			got.Store(int32(syscall.SIGINT))
		}
		cancel()
		s = <-sigs
		removeTemp()
		if s == syscall.SIGTERM {
			os.Exit(143)
		}
		os.Exit(130)
	}()
	signalled = func() syscall.Signal { return syscall.Signal(got.Load()) }
	defer signal.Stop(sigs)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	cancel()
	return code
}
