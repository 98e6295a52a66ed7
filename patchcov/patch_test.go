package patchcov

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/cover"

	"github.com/sprintkit/sprintkit/coverage"
	"github.com/sprintkit/sprintkit/coverage/gotest"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// The baseline: a module with a covered function, a block that will move,
// a file that will be renamed, one that will be deleted, and one without
// statements.
var baseFiles = map[string]string{
	"go.mod": "module example.com/fx\n\ngo 1.22\n",
	"calc/calc.go": `package calc

// Add is covered by TestAdd.
func Add(a, b int) int {
	sum := a + b
	return sum
}

// Sign will move to moved.go unchanged.
func Sign(x int) int {
	if x < 0 {
		return -1
	}
	if x > 0 {
		return 1
	}
	return 0
}
`,
	"calc/calc_test.go": `package calc

import "testing"

func TestAdd(t *testing.T) {
	if Add(1, 2) != 3 {
		t.Fatal("1+2")
	}
	if Sign(-4) != -1 {
		t.Fatal("sign")
	}
}
`,
	"calc/rename.go": `package calc

func Twice(x int) int {
	y := x * 2
	return y
}
`,
	"calc/gone.go": `package calc

func Gone() int {
	g := 41
	return g + 1
}
`,
	"calc/types.go": `package calc

type Op int

const (
	Plus Op = iota
)
`,
}

// setUp builds the fixture repository: the baseline commit, then a change
// made of a commit, staged edits, unstaged edits and untracked files. It
// returns the checkout and the baseline commit.
func setUp(t *testing.T) (string, string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		testkit.Missing(t, "needs git")
	}
	dir := t.TempDir()
	for name, text := range baseFiles {
		write(t, dir, name, text)
	}
	gitRun(t, dir, "init", "-q")
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-q", "-m", "baseline")
	base := strings.TrimSpace(gitRun(t, dir, "rev-parse", "HEAD"))

	// Committed: a new function with a test.
	write(t, dir, "calc/mul.go", `package calc

func Mul(a, b int) int {
	p := 0
	add := func() {
		p += a
	}
	for i := 0; i < b; i++ {
		add()
	}
	return p
}
`)
	write(t, dir, "calc/mul_test.go", `package calc

import "testing"

func TestMul(t *testing.T) {
	if Mul(2, 3) != 6 {
		t.Fatal("2*3")
	}
}
`)
	gitRun(t, dir, "add", ".")
	gitRun(t, dir, "commit", "-q", "-m", "mul")

	// Staged: a new function without a test, the rename with one line
	// changed, the deletion.
	write(t, dir, "calc/div.go", `package calc

func Div(a, b int) int {
	if b == 0 {
		return b
	}
	q := a / b
	return q
}
`)
	gitRun(t, dir, "mv", "calc/rename.go", "calc/renamed.go")
	write(t, dir, "calc/renamed.go", strings.Replace(baseFiles["calc/rename.go"], "y := x * 2", "y := x + x", 1))
	gitRun(t, dir, "rm", "-q", "calc/gone.go")
	gitRun(t, dir, "add", ".")

	// Unstaged: a modified line in the covered Add, the Sign block moved
	// out of calc.go, a constant in the file without statements.
	calc := strings.Replace(baseFiles["calc/calc.go"], "sum := a + b", "sum := b + a", 1)
	i := strings.Index(calc, "// Sign will move")
	write(t, dir, "calc/calc.go", calc[:i])
	write(t, dir, "calc/types.go", baseFiles["calc/types.go"][:len(baseFiles["calc/types.go"])-2]+"\tMinus\n)\n")

	// Untracked: the moved block, and a new file half covered by an
	// untracked test.
	write(t, dir, "calc/moved.go", "package calc\n\n"+baseFiles["calc/calc.go"][i:])
	write(t, dir, "calc/fresh.go", `package calc

func Fresh(x int) string {
	if x > 10 {
		return "big"
	}
	switch x {
	case 1:
		return "one"
	case 2, 3:
		return "few"
	}
	s := "small"
	return s
}
`)
	write(t, dir, "calc/fresh_test.go", `package calc

import "testing"

func TestFresh(t *testing.T) {
	if Fresh(2) != "few" || Fresh(5) != "small" {
		t.Fatal("2, 5")
	}
}
`)
	return dir, base
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=s", "GIT_AUTHOR_EMAIL=s@example.com",
		"GIT_COMMITTER_NAME=s", "GIT_COMMITTER_EMAIL=s@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// measureFixture runs the fixture's tests with coverage and returns the
// result and the raw profile.
func measureFixture(t *testing.T, dir string) (*coverage.Result, []*cover.Profile) {
	t.Helper()
	prof := filepath.Join(t.TempDir(), "cover.out")
	cmd := exec.Command("go", "test", "-coverprofile="+prof, "-coverpkg=./...", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test: %v\n%s", err, out)
	}
	profs, err := cover.ParseProfiles(prof)
	if err != nil {
		t.Fatal(err)
	}
	r, err := gotest.FromProfiles(context.Background(), dir, profs)
	if err != nil {
		t.Fatal(err)
	}
	return r, profs
}

// oracle is patch coverage computed the plain way, independently of the
// package: added lines from the hunk headers of `git diff -U0 -M`, whole
// untracked files, minus lines whose text is a removed line of the diff;
// statements from the raw profile, one per source line inside a block that
// holds code other than braces (the fixtures keep one statement per line,
// and the oracle checks that its line count equals each block's NumStmt).
type oracleFile struct {
	statements, covered int
	uncovered           []int
}

func oracle(t *testing.T, dir, base string, profs []*cover.Profile) map[string]oracleFile {
	t.Helper()
	added := map[string]map[int]string{}
	removed := map[string]int{}
	out := gitRun(t, dir, "diff", "-U0", "-M", "--no-color", base)
	var file string
	var n int
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "+++ "):
			file = strings.TrimPrefix(strings.TrimPrefix(l, "+++ "), "b/")
		case strings.HasPrefix(l, "--- "):
		case strings.HasPrefix(l, "@@"):
			plus := strings.Fields(l)[2]
			start, _, _ := strings.Cut(plus[1:], ",")
			n, _ = strconv.Atoi(start)
		case strings.HasPrefix(l, "+"):
			if added[file] == nil {
				added[file] = map[int]string{}
			}
			added[file][n] = l[1:]
			n++
		case strings.HasPrefix(l, "-"):
			removed[strings.TrimSpace(l[1:])]++
		}
	}
	for _, f := range strings.Fields(gitRun(t, dir, "ls-files", "--others", "--exclude-standard")) {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		added[f] = map[int]string{}
		for i, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			added[f][i+1] = l
		}
	}
	// The moved-line rule, in path then line order.
	var files []string
	for f := range added {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		var lines []int
		for l := range added[f] {
			lines = append(lines, l)
		}
		sort.Ints(lines)
		for _, l := range lines {
			if k := strings.TrimSpace(added[f][l]); removed[k] > 0 {
				removed[k]--
				delete(added[f], l)
			}
		}
	}

	res := map[string]oracleFile{}
	for _, p := range profs {
		rel := strings.TrimPrefix(p.FileName, "example.com/fx/")
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Split(string(src), "\n")
		// -coverpkg repeats blocks per test binary: a block ran if it ran in any.
		blocks := map[[4]int]cover.ProfileBlock{}
		for _, b := range p.Blocks {
			k := [4]int{b.StartLine, b.StartCol, b.EndLine, b.EndCol}
			if o, ok := blocks[k]; ok && o.Count > 0 {
				b.Count = o.Count
			}
			blocks[k] = b
		}
		var o oracleFile
		// A block nested in another (a function literal's body) holds the
		// lines strictly inside it; the fixtures keep such bodies on their
		// own lines.
		nested := func(b cover.ProfileBlock, l int) bool {
			for _, n := range blocks {
				if n != b && (n.StartLine > b.StartLine || n.StartLine == b.StartLine && n.StartCol > b.StartCol) &&
					(n.EndLine < b.EndLine || n.EndLine == b.EndLine && n.EndCol <= b.EndCol) &&
					n.StartLine < l && l < n.EndLine {
					return true
				}
			}
			return false
		}
		for _, b := range blocks {
			stmtLines := 0
			for l := b.StartLine; l <= b.EndLine; l++ {
				if nested(b, l) {
					continue
				}
				seg := text[l-1]
				if l == b.EndLine {
					seg = seg[:b.EndCol-1]
				}
				if l == b.StartLine {
					seg = seg[min(b.StartCol-1, len(seg)):]
				}
				seg = strings.TrimSpace(seg)
				if seg == "" || strings.HasPrefix(seg, "}") || seg == "{" {
					continue
				}
				stmtLines++
				if _, ok := added[rel][l]; !ok {
					continue
				}
				o.statements++
				if b.Count > 0 {
					o.covered++
				} else {
					o.uncovered = append(o.uncovered, l)
				}
			}
			if stmtLines != b.NumStmt {
				t.Fatalf("oracle: %s:%d: %d statement lines in a block of %d statements; keep one statement per line in the fixture", rel, b.StartLine, stmtLines, b.NumStmt)
			}
		}
		sort.Ints(o.uncovered)
		if o.statements > 0 {
			res[rel] = o
		}
	}
	return res
}

func TestCompute(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go toolchain")
	}
	dir, base := setUp(t)
	r, profs := measureFixture(t, dir)
	want := oracle(t, dir, base, profs)

	byBackend := map[Backend]*Coverage{}
	for _, b := range []Backend{GitCLI, GoGit} {
		ch, err := Diff(context.Background(), dir, base, b)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		byBackend[b] = Compute(r, ch)
	}
	got := byBackend[GitCLI]

	files := map[string]*File{}
	for _, f := range got.Files {
		files[f.Path] = f
	}
	tests := []struct {
		name string
		file string
		// the fixture's intent, so that a wrong oracle cannot pass
		statements, covered int
	}{
		{"a new function with a test counts and is covered, its closure too", "calc/mul.go", 6, 6},
		{"a new function without a test counts and is uncovered", "calc/div.go", 4, 0},
		{"a modified line inside a covered function counts once, covered", "calc/calc.go", 1, 1},
		{"a moved block counts nothing", "calc/moved.go", 0, 0},
		{"a renamed file counts only its changed line", "calc/renamed.go", 1, 0},
		{"a deleted file counts nothing", "calc/gone.go", 0, 0},
		{"a change in a file with no statements counts nothing", "calc/types.go", 0, 0},
		{"an untracked new file counts whole, case clauses too", "calc/fresh.go", 7, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := want[tt.file]
			if o.statements != tt.statements || o.covered != tt.covered {
				t.Fatalf("oracle says %d/%d for %s, the fixture means %d/%d", o.covered, o.statements, tt.file, tt.covered, tt.statements)
			}
			f := files[tt.file]
			if f == nil {
				if o.statements != 0 {
					t.Fatalf("%s missing from the patch, oracle has %d statements", tt.file, o.statements)
				}
				return
			}
			if f.Statements != o.statements || f.Covered != o.covered {
				t.Errorf("%s: got %d/%d, oracle %d/%d", tt.file, f.Covered, f.Statements, o.covered, o.statements)
			}
			var lines []int
			for _, rg := range f.Uncovered {
				for l := rg.From; l <= rg.To; l++ {
					if _, ok := f.States[l]; ok {
						lines = append(lines, l)
					}
				}
			}
			if !reflect.DeepEqual(lines, o.uncovered) {
				t.Errorf("%s: uncovered lines %v, oracle %v", tt.file, lines, o.uncovered)
			}
		})
	}
	t.Run("the totals are the oracle's sums", func(t *testing.T) {
		var s, c int
		for _, o := range want {
			s += o.statements
			c += o.covered
		}
		if got.Statements != s || got.Covered != c {
			t.Errorf("got %d/%d, oracle %d/%d", got.Covered, got.Statements, c, s)
		}
	})
	t.Log(got.Summary())
	t.Run("go-git and the git CLI agree", func(t *testing.T) {
		a, b := byBackend[GitCLI], byBackend[GoGit]
		if a.Statements != b.Statements || a.Covered != b.Covered || a.UncoveredList(0) != b.UncoveredList(0) {
			t.Errorf("git %d/%d (%s), go-git %d/%d (%s)", a.Covered, a.Statements, a.UncoveredList(0), b.Covered, b.Statements, b.UncoveredList(0))
		}
	})
}
