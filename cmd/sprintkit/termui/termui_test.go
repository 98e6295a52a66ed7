package termui

import (
	"bytes"
	"os"
	"testing"
)

func TestProgressIsSilentWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, 10, "files", false)
	if p != nil {
		t.Fatal("a progress bar on a buffer should be nil (silent)")
	}
	// A nil bar takes every call and writes nothing.
	p.Update(3, 10)
	p.Add(1)
	p.SetTotal(20)
	p.Describe("x")
	p.Done()
	if buf.Len() != 0 {
		t.Fatalf("wrote %q", buf.String())
	}
}

func TestColorRespectsNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	if Color(os.Stdout) {
		t.Fatal("NO_COLOR=1 must turn colour off")
	}
	var buf bytes.Buffer
	t.Setenv("NO_COLOR", "")
	if Color(&buf) {
		t.Fatal("a buffer is not a terminal: no colour")
	}
}
