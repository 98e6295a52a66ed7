//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/copier"
)

// TestCopySIGINTThenRerun interrupts `sprintkit copy` with SIGINT in the
// middle of a copy, checks it exits 130 leaving no temporary and no partial
// file, then re-runs it to an identical tree.
//
// The copy is held mid-way without timing: its --json output goes to a pipe
// this test stops reading after the first event, so the copier blocks on a
// full pipe until the signal has been sent.
func TestCopySIGINTThenRerun(t *testing.T) {
	bin, err := exec.LookPath("sprintkit") // the test binary as sprintkit, put on PATH by testscript.Main
	if err != nil {
		t.Skip("sprintkit is not on PATH")
	}
	base := t.TempDir()
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	for i := 0; i < 2000; i++ {
		p := filepath.Join(src, fmt.Sprintf("d%02d", i%40), fmt.Sprintf("f%04d.txt", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		size := 100 + i%4000
		if i%400 == 0 {
			size = 2 << 20
		}
		if err := os.WriteFile(p, bytes.Repeat([]byte{byte(i)}, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	cmd := exec.Command(bin, "copy", "--json", "-j", "2", src, dst)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Read a random number of events, then interrupt.
	r := bufio.NewReader(out)
	read := 1 + rand.IntN(500) // the rest (over 1,500 lines) overflows a 64 KiB pipe
	for i := 0; i < read; i++ {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("event %d from sprintkit copy: %v\n%s", i, err, stderr.String())
		}
		if !strings.Contains(line, `"event":`) {
			t.Fatalf("line %q is not an event", line)
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want status 130\nstderr: %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "sprintkit: interrupted") {
		t.Errorf("stderr %q does not say it was interrupted", stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(rest)), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, `"event":"summary"`) || !strings.Contains(last, `"stopped":"context canceled"`) {
		t.Errorf("last line %q is not a summary of a stopped run", last)
	}
	n := strings.Count(string(rest), `"type":"file"`)
	if n >= 2000 {
		t.Errorf("all %d files were copied: the interruption came too late to test anything", n)
	}
	t.Logf("interrupted after reading %d events; %d more files were reported", read, n)
	checkNoTempOrPartial(t, src, dst)

	rerun := exec.Command(bin, "copy", src, dst)
	if b, err := rerun.CombinedOutput(); err != nil {
		t.Fatalf("re-run: %v\n%s", err, b)
	}
	sameTree(t, src, dst)
}

func checkNoTempOrPartial(t *testing.T, src, dst string) {
	t.Helper()
	_ = filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if copier.IsTempName(d.Name()) {
			t.Errorf("temporary left behind: %s", p)
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dst, p)
			want, _ := os.ReadFile(filepath.Join(src, rel))
			got, _ := os.ReadFile(p)
			if !bytes.Equal(want, got) {
				t.Errorf("%s: partial file under its final name (%d of %d bytes)", rel, len(got), len(want))
			}
		}
		return nil
	})
}

// sameTree checks every entry of src is in dst with the same content, mode
// and modification time, and dst has nothing more.
func sameTree(t *testing.T, src, dst string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		si, err := os.Lstat(p)
		if err != nil {
			return err
		}
		di, err := os.Lstat(filepath.Join(dst, rel))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		n++
		if si.Mode() != di.Mode() || !si.ModTime().Equal(di.ModTime()) {
			t.Errorf("%s: %v %v, want %v %v", rel, di.Mode(), di.ModTime(), si.Mode(), si.ModTime())
		}
		if si.Mode().IsRegular() {
			a, _ := os.ReadFile(p)
			b, _ := os.ReadFile(filepath.Join(dst, rel))
			if !bytes.Equal(a, b) {
				t.Errorf("%s: content differs", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m := 0
	_ = filepath.WalkDir(dst, func(string, fs.DirEntry, error) error { m++; return nil })
	if m != n {
		t.Errorf("copy has %d entries, source %d", m, n)
	}
}
