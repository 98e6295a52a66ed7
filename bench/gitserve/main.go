// Command gitserve serves the bare repositories under -root over git's smart
// HTTP protocol on loopback, with the real `git http-backend` through
// net/http/cgi, for clone benchmarks. It prints its base URL on stdout once
// it listens, then serves until killed.
//
//	gitserve -root /tmp/bench/srv   # prints http://127.0.0.1:PORT
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	root := flag.String("root", "", "directory holding the bare repositories")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	if *root == "" {
		fmt.Fprintln(os.Stderr, "usage: gitserve -root DIR [-addr 127.0.0.1:0]")
		os.Exit(2)
	}
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gitserve: git --exec-path: %v\n", err)
		os.Exit(1)
	}
	abs, _ := filepath.Abs(*root)
	h := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Root: "/",
		Env:  []string{"GIT_PROJECT_ROOT=" + abs, "GIT_HTTP_EXPORT_ALL=1"},
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gitserve: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	if err := http.Serve(ln, h); err != nil {
		fmt.Fprintf(os.Stderr, "gitserve: %v\n", err)
		os.Exit(1)
	}
}
