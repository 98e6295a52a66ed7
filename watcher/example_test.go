package watcher_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/sprintkit/sprintkit/watcher"
)

// Watch a tree for changes to Go files, the way `sprintkit watch-test` does.
func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	w, err := watcher.New(dir, watcher.Options{Patterns: []string{"*.go"}})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	batches := make(chan []watcher.Event, 1)
	go w.Run(ctx, func(evs []watcher.Event) { batches <- evs })

	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not Go"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644)
	for _, e := range <-batches {
		fmt.Println(e)
	}
	// Output:
	// created main.go
}
