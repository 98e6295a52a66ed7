package watcher

import (
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// TestEventsReplayToTheFinalTree makes random changes (files and
// directories created, written, deleted, renamed, moved in and out of the
// tree) as fast as it can, then replays the events it got onto the tree it
// started from: the replay must equal the tree on disk.
func TestEventsReplayToTheFinalTree(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		for _, poll := range []bool{false, true} {
			t.Run(fmt.Sprintf("seed %d, polling %v", seed, poll), func(t *testing.T) {
				replay(t, seed, poll)
			})
		}
	}
}

func replay(t *testing.T, seed int64, poll bool) {
	dir, outside := t.TempDir(), t.TempDir()
	rng := rand.New(rand.NewSource(seed))
	for i := 0; i < 20; i++ {
		write(t, dir, fmt.Sprintf("d%d/f%d", i%4, i), "x")
	}
	model := listTree(t, dir)
	h := start(t, dir, Options{Poll: poll, PollInterval: 30 * time.Millisecond, Debounce: 20 * time.Millisecond})

	var events []Event
	collect := func() {
		for {
			select {
			case b := <-h.batches:
				events = append(events, b...)
			default:
				return
			}
		}
	}
	pick := func(wantDir bool) string {
		cur := listTree(t, dir)
		var names []string
		for n, isDir := range cur {
			if isDir == wantDir {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			return ""
		}
		sort.Strings(names)
		return names[rng.Intn(len(names))]
	}
	for i := 0; i < 300; i++ {
		switch rng.Intn(9) {
		case 0, 1:
			write(t, dir, fmt.Sprintf("d%d/n%d", rng.Intn(6), i), "new")
		case 2:
			if f := pick(false); f != "" {
				write(t, dir, f, fmt.Sprint(i))
			}
		case 3:
			if f := pick(false); f != "" {
				os.Remove(filepath.Join(dir, f))
			}
		case 4:
			if f := pick(false); f != "" {
				os.Rename(filepath.Join(dir, f), filepath.Join(dir, fmt.Sprintf("d%d/r%d", rng.Intn(4), i)))
			}
		case 5:
			if d := pick(true); d != "" {
				os.Rename(filepath.Join(dir, d), filepath.Join(dir, fmt.Sprintf("moved%d", i)))
			}
		case 6:
			if d := pick(true); d != "" && rng.Intn(3) == 0 {
				os.RemoveAll(filepath.Join(dir, d))
			}
		case 7:
			if f := pick(false); f != "" {
				os.Rename(filepath.Join(dir, f), filepath.Join(outside, fmt.Sprintf("out%d", i)))
			}
		case 8:
			src := filepath.Join(outside, fmt.Sprintf("in%d", i))
			write(t, outside, fmt.Sprintf("in%d/sub/x", i), "x")
			os.Rename(src, filepath.Join(dir, fmt.Sprintf("in%d", i)))
		}
		if i%50 == 0 {
			collect()
		}
	}
	events = append(events, h.until(markerAfter(t, dir))...)
	for _, e := range events {
		switch e.Op {
		case Created:
			model[e.Name] = e.IsDir
		case Deleted:
			delete(model, e.Name)
		case Renamed:
			delete(model, e.OldName)
			model[e.Name] = e.IsDir
		case Error:
			t.Logf("error event: %v", e.Err)
		}
	}
	want := listTree(t, dir)
	for n := range model {
		if _, ok := want[n]; !ok {
			t.Errorf("the events leave %s, which is not on disk", n)
		}
	}
	for n := range want {
		if _, ok := model[n]; !ok {
			t.Errorf("%s is on disk, but no event created it", n)
		}
	}
}

// markerAfter writes a marker file once everything before it is on disk and
// returns its name.
func markerAfter(t *testing.T, dir string) string {
	name := fmt.Sprintf("zz-marker-%d", time.Now().UnixNano())
	write(t, dir, name, "m")
	return name
}

// listTree returns every path under dir, slash-separated, with whether it
// is a directory.
func listTree(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = d.IsDir()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
