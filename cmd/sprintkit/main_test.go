package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"sprintkit": func() { os.Exit(runMain()) },
	})
}

// TestScript runs the CLI scripts in testdata/script, the way cmd/go is tested.
func TestScript(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script"))
}
