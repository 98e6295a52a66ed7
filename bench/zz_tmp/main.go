package main

import (
	"context"
	"fmt"
	"os"
	"time"

	git "github.com/go-git/go-git/v5"
)

func main() {
	url, dst := os.Args[1], os.Args[2]
	os.RemoveAll(dst)
	t0 := time.Now()
	r, err := git.PlainCloneContext(context.Background(), dst, false, &git.CloneOptions{URL: url, Depth: 1, SingleBranch: true, Tags: git.NoTags, NoCheckout: true})
	if err != nil {
		panic(err)
	}
	t1 := time.Now()
	w, _ := r.Worktree()
	h, _ := r.Head()
	if err := w.Reset(&git.ResetOptions{Mode: git.HardReset, Commit: h.Hash()}); err != nil {
		panic(err)
	}
	t2 := time.Now()
	fmt.Println("fetch", t1.Sub(t0), "checkout", t2.Sub(t1))
}
