// Command genmod generates a mid-size Go module for benchmarks: -pkgs
// packages (default 100) with -tests tests each (default 20), in a git
// repository with one commit. The packages import each other (package i
// imports package i/2) and real module dependencies — golang.org/x/mod,
// github.com/google/go-cmp, github.com/pelletier/go-toml/v2, gopkg.in/yaml.v3
// and github.com/bmatcuk/doublestar/v4, the versions sprintkit's own go.sum
// has — and the tests do real work: sieves, hashing, sorting, parsing and
// encoding with those modules. The content is deterministic.
//
// go.sum is completed with `go mod tidy -e` (-e: the tests of yaml.v3 need
// gopkg.in/check.v1, whose zip need not be at hand), in the environment
// genmod runs in: point GOPROXY at a module cache that holds those versions (for example
// file://$(go env GOMODCACHE)/cache/download of a machine that built
// sprintkit) and the generation needs no network.
//
//	go run ./bench/genmod -o /tmp/bench/mid
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const modPath = "example.com/mid"

// deps are the module requirements, one per kind of package.
var deps = []struct{ path, version, imp string }{
	{"golang.org/x/mod", "v0.43.0", "golang.org/x/mod/semver"},
	{"github.com/google/go-cmp", "v0.7.0", "github.com/google/go-cmp/cmp"},
	{"github.com/pelletier/go-toml/v2", "v2.4.3", "github.com/pelletier/go-toml/v2"},
	{"gopkg.in/yaml.v3", "v3.0.1", "gopkg.in/yaml.v3"},
	{"github.com/bmatcuk/doublestar/v4", "v4.10.4", "github.com/bmatcuk/doublestar/v4"},
}

func main() {
	out := flag.String("o", "", "directory to create (must not exist)")
	pkgs := flag.Int("pkgs", 100, "number of packages")
	tests := flag.Int("tests", 20, "tests per package (at least 5)")
	flag.Parse()
	if *out == "" || *pkgs < 1 || *tests < 5 {
		fmt.Fprintln(os.Stderr, "usage: genmod -o DIR [-pkgs N] [-tests N]")
		os.Exit(2)
	}
	if err := generate(*out, *pkgs, *tests); err != nil {
		fmt.Fprintf(os.Stderr, "genmod: %v\n", err)
		os.Exit(1)
	}
}

func generate(dir string, pkgs, tests int) error {
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("%s already exists", dir)
	}
	var gomod strings.Builder
	fmt.Fprintf(&gomod, "module %s\n\ngo 1.24\n\nrequire (\n", modPath)
	for _, d := range deps {
		fmt.Fprintf(&gomod, "\t%s %s\n", d.path, d.version)
	}
	gomod.WriteString(")\n")
	files := map[string]string{"go.mod": gomod.String(), "README.md": "# mid\n\nA generated module for sprintkit's benchmarks (bench/genmod).\n"}
	for i := range pkgs {
		name := pkgName(i)
		files[name+"/calc.go"] = calcFile(i)
		files[name+"/ext.go"] = extFile(i)
		files[name+"/calc_test.go"] = testFile(i, tests)
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	for _, args := range [][]string{
		{"go", "mod", "tidy", "-e"},
		{"git", "init", "-q", "-b", "main"},
		{"git", "add", "-A"},
		{"git", "-c", "user.name=genmod", "-c", "user.email=genmod@example.com", "commit", "-q", "-m", "generated module"},
	} {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, b)
		}
	}
	fmt.Printf("%s: %d packages, %d tests\n", dir, pkgs, pkgs*tests)
	return nil
}

func pkgName(i int) string { return fmt.Sprintf("pkg%03d", i) }

// calcFile is package i's own computation: a sieve, a hash, a sort, a
// word count and a classifier with branches, with constants that vary by i.
func calcFile(i int) string {
	imp := ""
	use := "func Base(n int) int { return n }\n"
	if i > 0 {
		imp = fmt.Sprintf("\tdep %q\n", modPath+"/"+pkgName(i/2))
		use = "func Base(n int) int { return dep.Base(n) + len(dep.Primes(n%50+2)) }\n"
	}
	return fmt.Sprintf(`// Package %[1]s is generated (bench/genmod).
package %[1]s

import (
	"sort"
	"strings"
%[2]s)

// Primes returns the primes below n (a sieve of Eratosthenes).
func Primes(n int) []int {
	if n < 2 {
		return nil
	}
	composite := make([]bool, n)
	var out []int
	for i := 2; i < n; i++ {
		if composite[i] {
			continue
		}
		out = append(out, i)
		for j := i * i; j < n; j += i {
			composite[j] = true
		}
	}
	return out
}

// Checksum is FNV-1a over data, salted with %[3]d.
func Checksum(data []byte) uint32 {
	h := uint32(2166136261) ^ %[3]d
	for _, b := range data {
		h ^= uint32(b)
		h *= 16777619
	}
	return h
}

// SortedCopy returns a sorted copy of xs.
func SortedCopy(xs []int) []int {
	c := append([]int(nil), xs...)
	sort.Ints(c)
	return c
}

// Words counts the words of s, case-folded.
func Words(s string) map[string]int {
	m := map[string]int{}
	for _, w := range strings.Fields(strings.ToLower(s)) {
		m[strings.Trim(w, ".,;:!?")]++
	}
	return m
}

// Classify puts n into one of several buckets.
func Classify(n int) string {
	switch {
	case n < 0:
		return "negative"
	case n == 0:
		return "zero"
	case n%%%[4]d == 0:
		return "round"
	case n < %[5]d:
		return "small"
	case n > %[6]d:
		return "large"
	default:
		return "medium"
	}
}

// Unused is never called by the tests: the baseline ranks it.
func Unused(n int) int {
	if n > %[3]d {
		return n - %[3]d
	}
	return n + %[3]d
}

%[7]s`, pkgName(i), imp, i+1, i%7+3, 10+i, 1000+10*i, use)
}

// extFile uses one of the module dependencies, by i.
func extFile(i int) string {
	d := deps[i%len(deps)]
	var body string
	switch i % len(deps) {
	case 0:
		body = `// Latest returns the highest valid semantic version of vs.
func Latest(vs []string) string {
	best := ""
	for _, v := range vs {
		if semver.IsValid(v) && (best == "" || semver.Compare(v, best) > 0) {
			best = v
		}
	}
	return best
}

// RoundTrip is unused by ext's callers: it canonicalises v.
func RoundTrip(v string) string { return semver.Canonical(v) }
`
	case 1:
		body = `// Record is compared with go-cmp.
type Record struct {
	Name  string
	Tags  []string
	Score int
}

// Diff reports the differences between two records, "" when equal.
func Diff(a, b Record) string { return cmp.Diff(a, b) }

// RoundTrip is unused by ext's callers.
func RoundTrip(v string) string { return cmp.Diff(v, v) }
`
	case 2:
		body = `// Config is encoded with go-toml.
type Config struct {
	Name  string
	Ports []int
	Debug bool
}

// RoundTrip encodes c as TOML and decodes it again.
func RoundTripConfig(c Config) (Config, error) {
	b, err := toml.Marshal(c)
	if err != nil {
		return Config{}, err
	}
	var out Config
	err = toml.Unmarshal(b, &out)
	return out, err
}

// RoundTrip is unused by ext's callers.
func RoundTrip(v string) string { b, _ := toml.Marshal(map[string]string{"v": v}); return string(b) }
`
	case 3:
		body = `// Doc is encoded with yaml.v3.
type Doc struct {
	Title string            ` + "`yaml:\"title\"`" + `
	Items []string          ` + "`yaml:\"items\"`" + `
	Meta  map[string]string ` + "`yaml:\"meta\"`" + `
}

// RoundTripDoc encodes d as YAML and decodes it again.
func RoundTripDoc(d Doc) (Doc, error) {
	b, err := yaml.Marshal(d)
	if err != nil {
		return Doc{}, err
	}
	var out Doc
	err = yaml.Unmarshal(b, &out)
	return out, err
}

// RoundTrip is unused by ext's callers.
func RoundTrip(v string) string { b, _ := yaml.Marshal(v); return string(b) }
`
	case 4:
		body = `// MatchAll returns the paths that match the glob pattern.
func MatchAll(pattern string, paths []string) []string {
	var out []string
	for _, p := range paths {
		if ok, _ := doublestar.Match(pattern, p); ok {
			out = append(out, p)
		}
	}
	return out
}

// RoundTrip is unused by ext's callers.
func RoundTrip(v string) string {
	if doublestar.ValidatePattern(v) {
		return v
	}
	return ""
}
`
	}
	return fmt.Sprintf("package %s\n\nimport %q\n\n%s", pkgName(i), d.imp, body)
}

// testFile writes n tests for package i: four kinds of computation and
// one that exercises the module dependency.
func testFile(i, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n\t\"testing\"\n)\n\n", pkgName(i))
	b.WriteString(`// slowPrimes counts primes below n by trial division: the reference
// for the sieve.
func slowPrimes(n int) int {
	c := 0
	for i := 2; i < n; i++ {
		p := true
		for d := 2; d*d <= i; d++ {
			if i%d == 0 {
				p = false
				break
			}
		}
		if p {
			c++
		}
	}
	return c
}

`)
	for t := range n {
		k := i*n + t
		switch t % 5 {
		case 0:
			fmt.Fprintf(&b, `func TestPrimes%[1]d(t *testing.T) {
	n := %[2]d
	if got, want := len(Primes(n)), slowPrimes(n); got != want {
		t.Fatalf("Primes(%%d): %%d primes, want %%d", n, got, want)
	}
}

`, t, 20000+k%50*400)
		case 1:
			fmt.Fprintf(&b, `func TestChecksum%[1]d(t *testing.T) {
	data := []byte(strings.Repeat("sprint %[2]d ", 20000))
	a, c := Checksum(data), Checksum(append(data, '!'))
	if a == c || a != Checksum(data) {
		t.Fatalf("checksum %%x %%x", a, c)
	}
}

`, t, k)
		case 2:
			fmt.Fprintf(&b, `func TestSort%[1]d(t *testing.T) {
	xs := make([]int, 50000)
	for i := range xs {
		xs[i] = (i * %[2]d) %% 9973
	}
	s := SortedCopy(xs)
	for i := 1; i < len(s); i++ {
		if s[i-1] > s[i] {
			t.Fatalf("not sorted at %%d", i)
		}
	}
	if Classify(len(s)) == "" || Classify(-1) != "negative" || Classify(0) != "zero" {
		t.Fatal("classify")
	}
	if Base(%[3]d) < 0 {
		t.Fatal("base")
	}
}

`, t, k+7, k%40)
		case 3:
			fmt.Fprintf(&b, `func TestWords%[1]d(t *testing.T) {
	var sb strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&sb, "Word%%d, word%%d. ", i%%%[2]d, i%%7)
	}
	m := Words(sb.String())
	if len(m) == 0 || m["word0"] == 0 {
		t.Fatalf("words: %%d distinct", len(m))
	}
}

`, t, k%50+5)
		case 4:
			fmt.Fprintf(&b, "func TestExt%d(t *testing.T) {\n%s}\n\n", t, extTest(i, k))
		}
	}
	return b.String()
}

func extTest(i, k int) string {
	switch i % len(deps) {
	case 0:
		return fmt.Sprintf(`	var vs []string
	for j := 0; j < 2000; j++ {
		vs = append(vs, fmt.Sprintf("v1.%%d.%%d", j%%%d, j%%13))
	}
	if Latest(vs) == "" || Latest([]string{"bad"}) != "" {
		t.Fatal("latest")
	}
`, k%30+2)
	case 1:
		return fmt.Sprintf(`	for j := 0; j < 300; j++ {
		a := Record{Name: fmt.Sprint("r", j), Tags: []string{"a", "b"}, Score: j}
		b := a
		b.Score += %d %% 3
		if (Diff(a, b) == "") != (a.Score == b.Score) {
			t.Fatalf("diff %%d", j)
		}
	}
`, k)
	case 2:
		return fmt.Sprintf(`	for j := 0; j < 200; j++ {
		c := Config{Name: fmt.Sprint("svc", j), Ports: []int{j, j + %d}, Debug: j%%2 == 0}
		got, err := RoundTripConfig(c)
		if err != nil || got.Name != c.Name || len(got.Ports) != 2 {
			t.Fatalf("toml %%v %%v", got, err)
		}
	}
`, k)
	case 3:
		return fmt.Sprintf(`	for j := 0; j < 150; j++ {
		d := Doc{Title: fmt.Sprint("doc", j), Items: []string{"x", "y"}, Meta: map[string]string{"k": fmt.Sprint(j + %d)}}
		got, err := RoundTripDoc(d)
		if err != nil || got.Title != d.Title || got.Meta["k"] != d.Meta["k"] {
			t.Fatalf("yaml %%v %%v", got, err)
		}
	}
`, k)
	default:
		return fmt.Sprintf(`	var paths []string
	for j := 0; j < 3000; j++ {
		paths = append(paths, fmt.Sprintf("src/d%%d/f%%d.go", j%%%d, j))
	}
	if len(MatchAll("src/**/*.go", paths)) != len(paths) || len(MatchAll("*.md", paths)) != 0 {
		t.Fatal("match")
	}
`, k%20+3)
	}
}
