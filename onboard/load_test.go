package onboard

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/coverage/gotest"
)

// writeModule writes a module of pkgs packages of files Go files each, and a
// profile of them split in two shards, and returns the profiles' paths.
func writeModule(t *testing.T, dir string, pkgs, files int) []string {
	t.Helper()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/gen\n\ngo 1.22\n")
	var shards [2]strings.Builder
	for i := range shards {
		shards[i].WriteString("mode: count\n")
	}
	for p := 0; p < pkgs; p++ {
		for f := 0; f < files; f++ {
			// func Fn(x int) int {      line 3
			//	if x > 0 {              line 4
			//		return 1            line 5
			//	}
			//	return 0                line 7
			// }
			write(fmt.Sprintf("p%d/f%d.go", p, f), fmt.Sprintf("package p%d\n\nfunc F%d(x int) int {\n\tif x > 0 {\n\t\treturn 1\n\t}\n\treturn 0\n}\n", p, f))
			for i := range shards {
				name := fmt.Sprintf("example.com/gen/p%d/f%d.go", p, f)
				fmt.Fprintf(&shards[i], "%s:3.22,4.11 1 %d\n%s:4.11,6.3 1 %d\n%s:7.2,7.10 1 %d\n", name, 0, name, i*((p+f)%2), name, i*((p*f)%3))
			}
		}
	}
	var names []string
	for i := range shards {
		name := filepath.Join(dir, fmt.Sprintf("shard%d.out", i))
		write(filepath.Base(name), shards[i].String())
		names = append(names, name)
	}
	return names
}

// TestLoadListsWhileParsingAndAgreesWithFromProfiles checks that Load, which
// runs go list while it reads the profiles, builds the result FromProfiles
// builds from the same profiles read first.
func TestLoadListsWhileParsingAndAgreesWithFromProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	dir := t.TempDir()
	profiles := writeModule(t, dir, 3, 4)
	ctx := context.Background()
	got, err := Load(ctx, dir, profiles, nil)
	if err != nil {
		t.Fatal(err)
	}
	profs, err := readProfiles(profiles, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := gotest.FromProfiles(ctx, dir, profs)
	if err != nil {
		t.Fatal(err)
	}
	want.Commit = Head(dir)
	got.Generated = want.Generated
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Load differs from FromProfiles:\ngot  %#v\nwant %#v", got, want)
	}
	if len(got.Packages) != 3 || got.Packages[0].Dir != "p0" || len(got.Packages[0].Files[0].Functions) != 1 || got.Total.Statements != 36 {
		t.Fatalf("got %d packages (first dir %q), total %+v: want 3 packages found by go list, one function per file, 36 statements", len(got.Packages), got.Packages[0].Dir, got.Total)
	}
}

// TestLoadNamesABrokenProfileWhileGoListRuns checks that a profile error
// is returned as such (naming the file and line) although go list was
// started beside it, and that go list does not outlive Load.
func TestLoadNamesABrokenProfileWhileGoListRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	dir := t.TempDir()
	profiles := writeModule(t, dir, 1, 1)
	bad := filepath.Join(dir, "bad.out")
	if err := os.WriteFile(bad, []byte("mode: count\nexample.com/gen/p0/f0.go:3.22,4.11 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), dir, append(profiles, bad), nil)
	if err == nil || !strings.Contains(err.Error(), "bad.out:2: ") {
		t.Fatalf("error %v, want one naming bad.out:2", err)
	}
}
