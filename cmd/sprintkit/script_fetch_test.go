package main

import (
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// fetch GETs a page of the server whose URL the file urlfile holds (as
// `sprintkit serve --url-file` writes it) and writes the body to out; the
// answer must be 200 OK.
//
//	fetch urlfile path out
func fetch(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: fetch urlfile path out")
	}
	base := strings.TrimSpace(ts.ReadFile(args[0]))
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	resp, err := http.Get(base + args[1])
	ts.Check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ts.Check(err)
	if resp.StatusCode != http.StatusOK {
		ts.Fatalf("GET %s%s: %s\n%s", base, args[1], resp.Status, b)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), b, 0o644))
}
