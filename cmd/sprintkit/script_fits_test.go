package main

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/testscript"
)

// fits checks that every line of file (stdout, for the last command's)
// takes at most width columns, but for a line that is one word after its
// indentation (a path longer than the width, which wrapping keeps whole).
//
//	fits width file
func fits(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: fits width file")
	}
	width, err := strconv.Atoi(args[0])
	ts.Check(err)
	text := ts.ReadFile(args[1])
	for i, line := range strings.Split(text, "\n") {
		if utf8.RuneCountInString(line) > width && strings.Contains(strings.TrimSpace(line), " ") {
			ts.Fatalf("%s:%d: %d columns, more than %d: %q", args[1], i+1, utf8.RuneCountInString(line), width, line)
		}
	}
}
