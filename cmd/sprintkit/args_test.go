package main

import (
	"strings"
	"testing"
)

func TestIntersperseMovesFlagsBeforeArguments(t *testing.T) {
	cmd := copyCommand()
	for _, tc := range []struct {
		name, in, want string
	}{
		{"flags after the arguments move in front", "src dst --dry-run --json", "--dry-run --json src dst"},
		{"a flag keeps its value", "src dst -j 8 --exclude *.pyc", "-j 8 --exclude *.pyc src dst"},
		{"a value written with = stays one word", "src --exclude=node_modules/ dst", "--exclude=node_modules/ src dst"},
		{"flags already in front stay in order", "--delete src dst", "--delete src dst"},
		{"-- ends the flags and keeps the words after it as arguments", "src -- --odd", "-- src --odd"},
		{"an unknown flag stays a flag for the usage error", "src dst --bogus", "--bogus src dst"},
		{"a flag that needs a value at the end is left for the usage error", "src dst -j", "-j src dst"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(intersperse(cmd, strings.Fields(tc.in)), " ")
			if got != tc.want {
				t.Errorf("intersperse(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
