//go:build linux

package copier

// TestRandomCopies copies random trees over random destinations and checks
// the copier's promises after every trial:
//
//   - every destination entry is the source's entry, byte for byte with its
//     mode, mtime and symlink target (directories' attributes are set last,
//     so an interrupted run is not held to them), or the user's entry
//     untouched, or (after SIGKILL only) a temporary of the killed run;
//   - nothing of the user's is deleted without Delete, a non-empty directory
//     where the source has a file or symlink is refused (and only that), and
//     a file changing under the copy is never copied torn;
//   - a re-run, left alone, converges to the source (refused conflicts and
//     the user's extra entries aside).
//
// A trial is one of: a plain copy (sometimes a dry run), a copy while a
// goroutine truncates, extends and replaces source files (and a hook does so
// right after a file's content was copied), or a real copy process
// (this test binary re-executed, see TestMain) sent SIGINT or SIGKILL at a
// random point.
//
//	SPRINTKIT_COPY_TRIALS=N   number of trials (default 300; under -race 100)
//	SPRINTKIT_SLOW=1          3000 trials (CI runs that separately)
//	SPRINTKIT_COPY_SEED=S     the seed; trial i uses S+i, so a failing trial
//	                          is replayed alone with its own seed and TRIALS=1

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

const childEnv = "SPRINTKIT_COPIER_CHILD"

func TestMain(m *testing.M) {
	if cfg, ok := os.LookupEnv(childEnv); ok {
		os.Exit(runChild(cfg)) // never the tests: a child must not start children
	}
	os.Exit(m.Run())
}

// childConfig is what the parent tells a child copy process.
type childConfig struct {
	Src, Dst         string
	Workers          int
	Delete, Checksum bool
	ForceTemp        bool
	Token            string
	Seed             uint64
}

// runChild is `sprintkit copy` in miniature: Copy with SIGINT cancelling
// it, one line per event on stdout, exit 0, 1 (entries failed), 130
// (interrupted) or 2.
func runChild(cfg string) int {
	var c childConfig
	if err := json.Unmarshal([]byte(cfg), &c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	testForceTempNames, testRunToken = c.ForceTemp, c.Token
	r := rand.New(rand.NewPCG(c.Seed, 7))
	var mu sync.Mutex
	testHookAfterData = func(string) { // spread the moments a signal can land on
		mu.Lock()
		d := time.Duration(r.IntN(300)) * time.Microsecond
		mu.Unlock()
		if d < 150*time.Microsecond {
			time.Sleep(d)
		}
	}
	opts := Options{Workers: c.Workers, Delete: c.Delete, Checksum: c.Checksum,
		OnEvent: func(ev Event) { fmt.Printf("%s %s %s\n", ev.Kind, ev.Type, ev.Path) }}
	_, err := Copy(ctx, c.Src, c.Dst, opts)
	var fe *FileErrors
	switch {
	case err == nil:
		return 0
	case errors.Is(err, context.Canceled):
		return 130
	case errors.As(err, &fe):
		return 1
	}
	fmt.Fprintln(os.Stderr, err)
	return 2
}

func TestRandomCopies(t *testing.T) {
	trials := 300
	if raceEnabled {
		trials = 100
	}
	if os.Getenv("SPRINTKIT_SLOW") == "1" {
		trials = 3000
	}
	if s := os.Getenv("SPRINTKIT_COPY_TRIALS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("SPRINTKIT_COPY_TRIALS=%q: want a positive number", s)
		}
		trials = n
	}
	if testing.Short() {
		trials = min(trials, 20)
	}
	seed := rand.Uint64() >> 1
	if s := os.Getenv("SPRINTKIT_COPY_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("SPRINTKIT_COPY_SEED=%q: %v", s, err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d trials, seed %d (SPRINTKIT_COPY_TRIALS, SPRINTKIT_COPY_SEED)", trials, seed)
	base := tempDir(t)
	deadline, hasDeadline := t.Deadline()
	start := time.Now()
	kinds := map[string]int{}
	var tally tally
	for i := 0; i < trials; i++ {
		if hasDeadline && time.Until(deadline) < 30*time.Second {
			t.Logf("stopping after %d of %d trials: the test deadline is near (raise -timeout)", i, trials)
			break
		}
		s := seed + uint64(i)
		tr := &trial{t: t, seed: s, r: rand.New(rand.NewPCG(s, 0x5eed)), dir: filepath.Join(base, strconv.Itoa(i)), exe: exe, tally: &tally}
		tr.run()
		kinds[tr.kind]++
		if len(tr.errs) > 0 {
			msg := tr.errs
			if len(msg) > 25 {
				msg = append(msg[:25], fmt.Sprintf("... and %d more", len(tr.errs)-25))
			}
			t.Fatalf("trial %d (%s) failed:\n  %s\n%s\nreplay it: SPRINTKIT_COPY_SEED=%d SPRINTKIT_COPY_TRIALS=1 go test ./copier -run '^TestRandomCopies$' -v",
				i, tr.describe(), strings.Join(msg, "\n  "), tr.log.String(), s)
		}
		removeAll(tr.dir)
	}
	t.Logf("%v in %v", kinds, time.Since(start).Round(time.Millisecond))
	t.Logf("seen: %d conflicts refused, %d source changes made during copies, %d files reported changed during the copy, "+
		"%d children interrupted mid-copy, %d killed after they started, %d temporaries left by killed children",
		tally.conflicts, tally.changes, tally.changed, tally.interrupted, tally.killed, tally.leftovers)
}

// tally counts what the trials saw, to show they test something.
type tally struct {
	conflicts, changes, changed, interrupted, killed, leftovers int
}

// trial is one random copy and its checks.
type trial struct {
	t    *testing.T
	seed uint64
	r    *rand.Rand
	dir  string
	exe  string
	kind string
	opts Options
	temp bool // named temporaries forced

	src, dst, outside string
	srcSnap, preSnap  map[string]entryInfo // the source, and the destination before the copy (nil: none)
	outsideSnap       map[string]entryInfo
	dstExisted        bool
	versions          map[string][][]byte // contents a modified source file had
	leftToken         string              // a killed child's token: its temporaries may be left
	tally             *tally
	errs              []string
	log               strings.Builder
}

func (tr *trial) errorf(format string, args ...any) {
	tr.errs = append(tr.errs, fmt.Sprintf(format, args...))
}

func (tr *trial) describe() string {
	return fmt.Sprintf("%s, %d workers, delete %v, checksum %v, dry run %v, named temporaries %v, seed %d",
		tr.kind, tr.opts.Workers, tr.opts.Delete, tr.opts.Checksum, tr.opts.DryRun, tr.temp, tr.seed)
}

func (tr *trial) run() {
	r := tr.r
	tr.src, tr.dst, tr.outside = filepath.Join(tr.dir, "src"), filepath.Join(tr.dir, "dst"), filepath.Join(tr.dir, "outside")
	must := func(err error) {
		if err != nil {
			tr.t.Fatalf("trial seed %d: setting up: %v", tr.seed, err)
		}
	}
	must(os.MkdirAll(tr.outside, 0o755))
	must(os.WriteFile(filepath.Join(tr.outside, "precious"), []byte("outside the destination"), 0o644))
	g := &gen{r: r, outside: tr.outside, mtimeBase: fixedTime.UnixNano()}
	must(g.tree(tr.src, 0))
	must(g.finish(tr.src))
	switch x := r.IntN(10); {
	case x < 2: // no destination
	case x < 3: // an empty one
		must(os.MkdirAll(tr.dst, 0o755))
	case x < 5: // an earlier copy of the source, then the source changes
		if _, err := Copy(context.Background(), tr.src, tr.dst, Options{}); err != nil {
			tr.t.Fatalf("trial seed %d: first copy: %v", tr.seed, err)
		}
		must(g.mutate(tr.src)) // what it makes has the time of now
	default: // the user's own tree, with names drawn from the same few
		ug := &gen{r: r, outside: tr.outside, mtimeBase: fixedTime.UnixNano() + 5e12}
		must(ug.tree(tr.dst, 0))
		must(ug.finish(tr.dst))
	}
	must(g.readOnly(tr.src))
	if fi, err := os.Lstat(tr.dst); err == nil && fi.IsDir() {
		tr.dstExisted = true
		if r.IntN(3) == 0 {
			must(os.WriteFile(filepath.Join(tr.dst, ".sprintkit.tmp-mine"), []byte("the user's"), 0o644))
			must(os.WriteFile(filepath.Join(tr.dst, TempPrefix+"fedcba9876543210-7"), []byte("the user's too"), 0o644))
		}
		tr.preSnap = tr.snap(tr.dst)
	}
	tr.srcSnap = tr.snap(tr.src)
	tr.outsideSnap = tr.snap(tr.outside)

	tr.opts = Options{Workers: 1 + r.IntN(8), Delete: r.IntN(7) == 0, Checksum: r.IntN(10) == 0}
	tr.temp = r.IntN(4) == 0
	switch x := r.IntN(100); {
	case x < 30:
		tr.kind = "plain"
		tr.opts.DryRun = r.IntN(5) == 0
		tr.plain()
	case x < 55:
		tr.kind = "modified during the copy"
		tr.modified()
	case x < 78:
		tr.kind = "SIGINT"
		tr.killed(syscall.SIGINT)
	default:
		tr.kind = "SIGKILL"
		tr.killed(syscall.SIGKILL)
	}
	if len(tr.errs) > 0 || tr.opts.DryRun {
		return
	}
	// Left alone, a re-run converges.
	tr.opts.DryRun = false
	tr.copyAndCheck("re-run", true)
	if !equalMaps(tr.snap(tr.outside), tr.outsideSnap) {
		tr.errorf("the directory outside the destination changed")
	}
}

func (tr *trial) snap(root string) map[string]entryInfo {
	if _, err := os.Lstat(root); errors.Is(err, fs.ErrNotExist) {
		return map[string]entryInfo{}
	}
	return scan(tr.t, root)
}

// plain copies once and checks the result is complete.
func (tr *trial) plain() {
	if !tr.opts.DryRun {
		tr.copyAndCheck("copy", false)
		return
	}
	errPaths := tr.copyEvents(tr.opts)
	if tr.dstExisted {
		if !equalMaps(tr.snap(tr.dst), tr.preSnap) {
			tr.errorf("a dry run changed the destination")
		}
	} else if _, err := os.Lstat(tr.dst); !errors.Is(err, fs.ErrNotExist) {
		tr.errorf("a dry run created the destination: %v", err)
	}
	tr.checkErrors(errPaths, nil)
}

// copyAndCheck runs a complete copy in this process and checks the
// destination against the source (which does not change meanwhile).
func (tr *trial) copyAndCheck(what string, rerun bool) {
	opts := tr.opts
	testForceTempNames = tr.temp
	errPaths := tr.copyEvents(opts)
	testForceTempNames = false
	fmt.Fprintf(&tr.log, "%s: errors %v\n", what, errPaths)
	tr.checkErrors(errPaths, nil)
	tr.checkComplete(what)
}

// copyEvents runs Copy and returns the paths of the error events, with
// their errors.
func (tr *trial) copyEvents(opts Options) map[string]error {
	var mu sync.Mutex
	errPaths := map[string]error{}
	opts.OnEvent = func(ev Event) {
		if ev.Kind == EventError {
			mu.Lock()
			errPaths[ev.Path] = ev.Err
			mu.Unlock()
		}
	}
	_, err := Copy(context.Background(), tr.src, tr.dst, opts)
	var fe *FileErrors
	if err != nil && !errors.As(err, &fe) {
		tr.errorf("Copy: %v", err)
	}
	if (err == nil) != (len(errPaths) == 0) {
		tr.errorf("Copy returned %v after %d error events", err, len(errPaths))
	}
	return errPaths
}

// conflicts returns the source paths that must be refused: a non-directory
// of the source where the destination had a non-empty directory.
func (tr *trial) conflicts() map[string]bool {
	out := map[string]bool{}
	if tr.opts.Delete || tr.preSnap == nil {
		return out
	}
	for p, se := range tr.srcSnap {
		if pe, ok := tr.preSnap[p]; ok && !se.mode.IsDir() && pe.mode.IsDir() && tr.hasChild(p) {
			out[p] = true
		}
	}
	return out
}

func (tr *trial) hasChild(p string) bool {
	for q := range tr.preSnap {
		if strings.HasPrefix(q, p+"/") {
			return true
		}
	}
	return false
}

// checkErrors checks the copy refused exactly the conflicts; a path of
// changed may also have changed during the copy.
func (tr *trial) checkErrors(errPaths map[string]error, changed map[string][][]byte) {
	want := tr.conflicts()
	for p := range want {
		tr.tally.conflicts++
		if err, ok := errPaths[p]; !ok {
			tr.errorf("%s: a non-empty directory in the destination, the source has a %s: want an error", p, kindName(tr.srcSnap[p].mode))
		} else if !errors.Is(err, ErrTypeConflict) {
			tr.errorf("%s: error %v, want ErrTypeConflict", p, err)
		}
	}
	for p, err := range errPaths {
		if want[p] {
			continue
		}
		if _, ok := changed[p]; ok && errors.Is(err, ErrChanged) {
			tr.tally.changed++
			continue
		}
		tr.errorf("%s: unexpected error: %v", p, err)
	}
}

// checkComplete checks a finished copy: every source entry is in the
// destination (refused conflicts aside), every other entry is the user's,
// untouched.
func (tr *trial) checkComplete(what string) {
	got := tr.snap(tr.dst)
	conflicts := tr.conflicts()
	underConflict := func(p string) bool {
		for c := range conflicts {
			if p == c || strings.HasPrefix(p, c+"/") {
				return true
			}
		}
		return false
	}
	for p, se := range tr.srcSnap {
		if se.mode&(fs.ModeNamedPipe|fs.ModeSocket|fs.ModeDevice) != 0 || underConflict(p) {
			continue
		}
		ge, ok := got[p]
		if !ok {
			tr.errorf("%s: %s: missing from the destination", what, p)
			continue
		}
		if d := diffEntry(se, ge, true); d != "" {
			tr.errorf("%s: %s: %s", what, p, d)
		}
	}
	// Hard links of the source share an inode in the destination.
	groups := map[uint64][]string{}
	for p, se := range tr.srcSnap {
		if se.mode.IsRegular() && !underConflict(p) {
			groups[se.ino] = append(groups[se.ino], p)
		}
	}
	for _, g := range groups {
		for _, p := range g[1:] {
			if got[p].ino != got[g[0]].ino {
				tr.errorf("%s: %s and %s: hard links in the source, not in the destination", what, g[0], p)
			}
		}
	}
	for p, ge := range got {
		if _, ok := tr.srcSnap[p]; ok && !underConflict(p) {
			continue
		}
		if tr.leftToken != "" && strings.HasPrefix(filepath.Base(p), TempPrefix+tr.leftToken+"-") && !tr.opts.Delete {
			continue // left by the killed run
		}
		pe, ok := tr.preSnap[p]
		switch {
		case !ok:
			tr.errorf("%s: %s: in the destination, but neither in the source nor the user's", what, p)
		case tr.opts.Delete && !underConflict(p):
			tr.errorf("%s: %s: the source lacks it and Delete is set, but it is still there", what, p)
		default:
			if d := diffEntry(pe, ge, true); d != "" {
				tr.errorf("%s: %s: the user's entry was changed: %s", what, p, d)
			}
		}
	}
	if !tr.opts.Delete {
		for p := range tr.preSnap {
			if _, ok := got[p]; !ok && !tr.replacedBySource(p) {
				tr.errorf("%s: %s: the user's entry is gone, without Delete", what, p)
			}
		}
	}
}

// replacedBySource reports whether the user's entry p may rightly be gone
// (for a moment, or replaced): the source has p as an entry that takes its
// place in more than one step, a directory where p is not one, or a file or
// symlink where p is an empty directory.
func (tr *trial) replacedBySource(p string) bool {
	se, ok := tr.srcSnap[p]
	if !ok {
		return false
	}
	pe := tr.preSnap[p]
	if pe.mode.IsDir() == se.mode.IsDir() {
		return false
	}
	return !(pe.mode.IsDir() && tr.hasChild(p))
}

// diffEntry says how b differs from a: kind, permission bits, modification
// time (withDirTimes: for directories too), content, link target.
func diffEntry(a, b entryInfo, withDirTimes bool) string {
	switch {
	case a.mode.Type() != b.mode.Type():
		return fmt.Sprintf("a %s, want a %s", kindName(b.mode), kindName(a.mode))
	case a.mode.IsDir() && !withDirTimes:
		return ""
	case a.mode != b.mode:
		return fmt.Sprintf("mode %v, want %v", b.mode, a.mode)
	case a.mtime != b.mtime && !(a.mode.IsDir() && a.mtime == 0):
		return fmt.Sprintf("mtime %d, want %d", b.mtime, a.mtime)
	case !bytes.Equal(a.data, b.data):
		return fmt.Sprintf("content differs (%d bytes, want %d)", len(b.data), len(a.data))
	case a.target != b.target:
		return fmt.Sprintf("link target %q, want %q", b.target, a.target)
	}
	return ""
}

func kindName(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m.IsRegular():
		return "file"
	}
	return "special file"
}

func equalMaps(a, b map[string]entryInfo) bool {
	if len(a) != len(b) {
		return false
	}
	for p, ae := range a {
		be, ok := b[p]
		if !ok || diffEntry(ae, be, true) != "" {
			return false
		}
	}
	return true
}

// checkPartial checks a destination after an interrupted or disturbed
// copy: every entry is the source's (versions: any content a modified file
// had), the user's untouched, or a temporary of the killed run.
func (tr *trial) checkPartial(what string) {
	got := tr.snap(tr.dst)
	for p, ge := range got {
		if p == "." {
			continue
		}
		if tr.leftToken != "" && strings.HasPrefix(filepath.Base(p), TempPrefix+tr.leftToken+"-") {
			continue
		}
		var reasons []string
		if se, ok := tr.srcSnap[p]; ok {
			if vs, ok := tr.versions[p]; ok && se.mode.IsRegular() && ge.mode.IsRegular() {
				if ge.mode != se.mode {
					reasons = append(reasons, fmt.Sprintf("mode %v, want %v", ge.mode, se.mode))
				} else if !oneOf(ge.data, vs) {
					reasons = append(reasons, fmt.Sprintf("%d bytes that the source file never held (torn?)", len(ge.data)))
				} else {
					continue
				}
			} else if d := diffEntry(se, ge, false); d == "" {
				continue
			} else {
				reasons = append(reasons, "not the source's: "+d)
			}
		}
		if pe, ok := tr.preSnap[p]; ok {
			if d := diffEntry(pe, ge, false); d == "" {
				continue
			} else {
				reasons = append(reasons, "not the user's: "+d)
			}
		}
		if len(reasons) == 0 {
			reasons = append(reasons, "neither the source's nor the user's")
		}
		tr.errorf("%s: %s: %s", what, p, strings.Join(reasons, "; "))
	}
	if !tr.opts.Delete {
		for p := range tr.preSnap {
			if _, ok := got[p]; !ok && !tr.replacedBySource(p) {
				tr.errorf("%s: %s: the user's entry is gone, without Delete", what, p)
			}
		}
	}
}

func oneOf(b []byte, vs [][]byte) bool {
	for _, v := range vs {
		if bytes.Equal(b, v) {
			return true
		}
	}
	return false
}

// modified copies while source files are truncated, extended and replaced,
// by a goroutine and by a hook right after a file's content was copied.
func (tr *trial) modified() {
	m := &modifier{r: rand.New(rand.NewPCG(tr.seed, 99)), scratch: filepath.Join(tr.dir, "scratch"), versions: map[string][][]byte{}, sizes: map[string]map[int]bool{}, modes: map[string]fs.FileMode{}}
	if err := os.MkdirAll(m.scratch, 0o755); err != nil {
		tr.t.Fatal(err)
	}
	for p, se := range tr.srcSnap {
		if se.mode.IsRegular() && !tr.sharesInode(p) {
			m.files = append(m.files, p)
			m.versions[p] = [][]byte{se.data}
			m.sizes[p] = map[int]bool{len(se.data): true}
			m.modes[p] = se.mode.Perm()
		}
	}
	sort.Strings(m.files)
	if len(m.files) == 0 {
		tr.kind = "plain (nothing to modify)"
		tr.copyAndCheck("copy", false)
		return
	}
	m.src = tr.src
	hookRate := m.r.IntN(3) // 0: none, 1: some, 2: most files
	testHookAfterData = func(rel string) {
		m.mu.Lock()
		hit := hookRate > 0 && m.r.IntN(3) < hookRate
		m.mu.Unlock()
		if hit {
			m.modify(rel)
		}
	}
	testForceTempNames = tr.temp
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 400; i++ {
			select {
			case <-stop:
				return
			default:
			}
			m.mu.Lock()
			p := m.files[m.r.IntN(len(m.files))]
			pause := time.Duration(m.r.IntN(200)) * time.Microsecond
			m.mu.Unlock()
			m.modify(p)
			time.Sleep(pause)
		}
	}()
	errPaths := tr.copyEvents(tr.opts)
	close(stop)
	<-done
	testHookAfterData = nil
	testForceTempNames = false
	fmt.Fprintf(&tr.log, "modified during the copy: %d changes; errors %v\n", m.count, errPaths)
	tr.tally.changes += m.count
	tr.versions = m.versions
	tr.checkErrors(errPaths, m.versions)
	for p := range errPaths {
		if errors.Is(errPaths[p], ErrChanged) && !strings.Contains(errPaths[p].Error(), p+": ") {
			tr.errorf("%s: error %q does not name the path", p, errPaths[p])
		}
	}
	tr.checkPartial("copy while modified")
	tr.versions = nil
	tr.srcSnap = tr.snap(tr.src) // the source as the modifications left it
}

func (tr *trial) sharesInode(p string) bool {
	se := tr.srcSnap[p]
	for q, e := range tr.srcSnap {
		if q != p && e.mode.IsRegular() && e.ino == se.ino {
			return true
		}
	}
	return false
}

// modifier changes source files so that every state of a file has a size
// of its own: a copy whose size and times did not change between its stat
// before and after is of one state, and any torn copy is a content that no
// state had.
type modifier struct {
	mu       sync.Mutex
	r        *rand.Rand
	src      string
	scratch  string
	files    []string
	modes    map[string]fs.FileMode
	versions map[string][][]byte
	sizes    map[string]map[int]bool
	count    int
}

func (m *modifier) modify(rel string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	vs, ok := m.versions[rel]
	if !ok {
		return
	}
	cur := vs[len(vs)-1]
	p := filepath.Join(m.src, rel)
	var next []byte
	switch op := m.r.IntN(3); op {
	case 0: // truncate, shorter or longer
		n := m.freshSize(rel, 2*len(cur)+64)
		if err := os.Truncate(p, int64(n)); err != nil {
			return
		}
		next = make([]byte, n)
		copy(next, cur)
	case 1: // append within the last page: one step for a reader
		room := 4096 - len(cur)%4096
		n := 1 + m.r.IntN(room)
		if m.sizes[rel][len(cur)+n] {
			return
		}
		add := randBytes(m.r, n)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return
		}
		_, err = f.Write(add)
		f.Close()
		if err != nil {
			return
		}
		next = append(append([]byte(nil), cur...), add...)
	default: // replaced by a new file
		n := m.freshSize(rel, 2*len(cur)+64)
		next = randBytes(m.r, n)
		tmp := filepath.Join(m.scratch, "new")
		mode := m.modes[rel]
		if os.WriteFile(tmp, next, 0o600) != nil || os.Chmod(tmp, mode) != nil || os.Rename(tmp, p) != nil {
			return
		}
	}
	m.sizes[rel][len(next)] = true
	m.versions[rel] = append(vs, next)
	m.count++
}

func (m *modifier) freshSize(rel string, limit int) int {
	for {
		n := m.r.IntN(limit + 1)
		if !m.sizes[rel][n] {
			return n
		}
		limit++
	}
}

// killed runs the copy in a child process and sends it sig at a random
// moment, then checks what it left.
func (tr *trial) killed(sig syscall.Signal) {
	token := fmt.Sprintf("%016x", tr.r.Uint64())
	cfg, err := json.Marshal(childConfig{Src: tr.src, Dst: tr.dst, Workers: tr.opts.Workers, Delete: tr.opts.Delete, Checksum: tr.opts.Checksum,
		ForceTemp: tr.temp, Token: token, Seed: tr.seed})
	if err != nil {
		tr.t.Fatal(err)
	}
	cmd := exec.Command(tr.exe)
	cmd.Env = append(os.Environ(), childEnv+"="+string(cfg))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		tr.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tr.t.Fatal(err)
	}
	br := bufio.NewReader(out)
	events := 0
	wait := tr.r.IntN(8)
	for ; events < wait; events++ {
		if _, err := br.ReadString('\n'); err != nil {
			break // finished before
		}
	}
	delay := time.Duration(0)
	if tr.r.IntN(2) == 0 {
		delay = time.Duration(tr.r.IntN(3000)) * time.Microsecond
		if wait == 0 {
			delay *= 10 // the child may not even have started copying
		}
		time.Sleep(delay)
	}
	_ = cmd.Process.Signal(sig)
	rest, _ := io.ReadAll(br)
	err = cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	fmt.Fprintf(&tr.log, "%v after %d events and %v: exit %d (%v), %d more event lines; stderr %q\n",
		sig, events, delay, code, err, bytes.Count(rest, []byte("\n")), stderr.String())
	switch {
	case sig == syscall.SIGKILL:
		tr.leftToken = token
		if events > 0 && code == -1 { // killed after it started copying
			tr.tally.killed++
		}
	case code == 130: // Copy returned cancelled: it was copying
		tr.tally.interrupted++
	case code == 0 || code == 1:
		// interrupted (Ctrl-C removes what was half written), or done first
	case code == -1 && cmd.ProcessState.Sys().(syscall.WaitStatus).Signal() == syscall.SIGINT:
		// the signal came before the child set up its handler: nothing copied yet
	default:
		tr.errorf("child exited %d after SIGINT, want 130 (or 0/1 if it finished first): %s", code, stderr.String())
	}
	tr.checkPartial(sig.String())
	for p := range tr.snap(tr.dst) {
		if sig == syscall.SIGKILL && strings.HasPrefix(filepath.Base(p), TempPrefix+token) {
			tr.tally.leftovers++
		}
	}
	if sig == syscall.SIGINT {
		for p := range tr.snap(tr.dst) {
			if strings.HasPrefix(filepath.Base(p), TempPrefix+token) {
				tr.errorf("%s: a temporary left behind by an interrupted (not killed) run", p)
			}
		}
	}
}

// gen makes random trees from a few names, so that a source and a user's
// destination made by two gens collide often, with entries of every kind.
type gen struct {
	r         *rand.Rand
	outside   string
	mtimeBase int64
	files     []string // regular files made, for hard links
	entries   []string // every entry made
}

var genNames = []string{"a", "b", "c", "d", "e", "f g", "ü", ".sprintkit.tmp-notes", TempPrefix + "0123456789abcdef-1"}

func (g *gen) name() string {
	if g.r.IntN(8) == 0 {
		return genNames[5+g.r.IntN(len(genNames)-5)]
	}
	return genNames[g.r.IntN(5)]
}

func (g *gen) tree(dir string, depth int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	n := g.r.IntN(7)
	if depth == 0 {
		n += 2
	}
	for i := 0; i < n; i++ {
		p := filepath.Join(dir, g.name())
		if _, err := os.Lstat(p); err == nil {
			continue
		}
		if err := g.entry(p, depth); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) entry(p string, depth int) error {
	g.entries = append(g.entries, p)
	switch x := g.r.IntN(100); {
	case x < 25 && depth < 3:
		return g.tree(p, depth+1)
	case x < 30:
		return os.Mkdir(p, 0o755) // an empty directory
	case x < 45:
		targets := []string{"a", "../b", "missing/target", g.outside, filepath.Join(g.outside, "precious"), "."}
		return os.Symlink(targets[g.r.IntN(len(targets))], p)
	case x < 53 && len(g.files) > 0:
		if os.Link(g.files[g.r.IntN(len(g.files))], p) == nil {
			return nil
		} // that file is gone (mutate): a file instead
	}
	var size int
	switch x := g.r.IntN(100); {
	case x < 70:
		size = g.r.IntN(5000)
	case x < 93:
		size = 5000 + g.r.IntN(300<<10)
	default:
		size = (1 << 20) + g.r.IntN(2<<20)
	}
	if g.r.IntN(30) == 0 { // sparse
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		_, err = f.WriteAt(randBytes(g.r, 4096), int64(g.r.IntN(size+1)))
		if err == nil {
			err = f.Truncate(int64(size + 8192))
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	} else if err := os.WriteFile(p, randBytes(g.r, size), 0o644); err != nil {
		return err
	}
	g.files = append(g.files, p)
	modes := []fs.FileMode{0o644, 0o600, 0o755, 0o444, 0o640}
	return os.Chmod(p, modes[g.r.IntN(len(modes))])
}

// mutate changes a tree already copied: new content, removed entries,
// entries of another kind.
func (g *gen) mutate(root string) error {
	var all []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != root {
			all = append(all, p)
		}
		return nil
	})
	g.files = g.files[:0]
	for _, p := range all {
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
			g.files = append(g.files, p)
		}
	}
	for i := 0; i < 1+len(all)/4; i++ {
		p := all[g.r.IntN(len(all))]
		fi, err := os.Lstat(p)
		if err != nil || !underRealDirs(root, p) {
			continue // under something removed, or replaced by a link or a file
		}
		switch g.r.IntN(3) {
		case 0: // new content, or an entry of another kind
			if err := os.RemoveAll(p); err != nil {
				return err
			}
			if err := g.entry(p, 2); err != nil {
				return err
			}
		case 1:
			if err := os.RemoveAll(p); err != nil {
				return err
			}
		default:
			if fi.IsDir() {
				if err := g.tree(p, 2); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// underRealDirs reports whether every directory from root down to p's
// parent is a directory, not a symbolic link to one: an entry an earlier
// mutation moved under a link is reached through it and is not the tree's.
func underRealDirs(root, p string) bool {
	for d := filepath.Dir(p); d != root && len(d) > len(root); d = filepath.Dir(d) {
		fi, err := os.Lstat(d)
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// finish gives every entry under root a modification time of its own (with
// nanoseconds), directories last.
func (g *gen) finish(root string) error {
	var dirs []string
	i := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		i++
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		ns := g.mtimeBase + int64(i)*1_000_003 + int64(g.r.IntN(1000))
		return unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{unix.NsecToTimespec(ns), unix.NsecToTimespec(ns)}, unix.AT_SYMLINK_NOFOLLOW)
	})
	if err != nil {
		return err
	}
	for j := len(dirs) - 1; j >= 0; j-- {
		ns := g.mtimeBase - int64(j)*7_000_001
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, dirs[j], []unix.Timespec{unix.NsecToTimespec(ns), unix.NsecToTimespec(ns)}, 0); err != nil {
			return err
		}
	}
	return nil
}

// readOnly makes some directories under root (not root) read-only.
func (g *gen) readOnly(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && p != root && g.r.IntN(15) == 0 {
			return os.Chmod(p, 0o555) // the mtime stays
		}
		return err
	})
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n+8)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for k := 0; k < 8; k++ {
			b[i+k] = byte(v >> (8 * k))
		}
	}
	return b[:n]
}

// removeAll removes a tree, read-only directories included.
func removeAll(p string) {
	_ = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(q, 0o755)
		}
		return nil
	})
	_ = os.RemoveAll(p)
}
