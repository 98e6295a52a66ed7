package onboard

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

// TestClaimDoneWithoutABaselineRunsNoTest: a checkout never set up has
// nothing to credit, which claim --done says before the suite runs (its
// test would leave a file).
func TestClaimDoneWithoutABaselineRunsNoTest(t *testing.T) {
	dir := t.TempDir()
	ran := filepath.Join(t.TempDir(), "ran")
	testkit.WriteTree(t, dir, map[string]string{
		"go.mod":    "module ex\n\ngo 1.22\n",
		"f.go":      "package ex\n\nfunc F() int { return 1 }\n",
		"f_test.go": "package ex\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestF(t *testing.T) { os.WriteFile(" + "`" + ran + "`" + ", nil, 0o644); F() }\n",
	})
	_, err := ClaimDone(context.Background(), dir, Events{})
	if err == nil || !strings.Contains(err.Error(), "no baseline") {
		t.Fatalf("ClaimDone = %v, want no baseline", err)
	}
	if _, err := os.Stat(ran); err == nil {
		t.Error("the suite ran though there was no baseline to credit against")
	}
	if err := os.MkdirAll(filepath.Dir(BaselinePath(dir)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(BaselinePath(dir), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if sub := filepath.Join(dir, "sub"); os.MkdirAll(sub, 0o755) != nil || !baselineAbove(sub) {
		t.Error("a baseline at the module root is not found from a directory below it")
	}
}
