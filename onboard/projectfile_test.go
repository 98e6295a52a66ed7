package onboard

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sprintkit/sprintkit/internal/hint"
	"github.com/sprintkit/sprintkit/internal/state"
	"github.com/sprintkit/sprintkit/internal/testkit"
)

func TestTheProjectFilesFlagsComeFirstAndAWrongFileIsNamed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		toml  string // "" writes none
		more  []string
		want  []string
		wrong string // in the error, when the file is wrong
	}{
		{name: "without a project file only the step's flags are added", more: []string{"-count=1"}, want: []string{"-count=1"}},
		{name: "the project's go_test_flags come before the step's", toml: "[baseline]\ngo_test_flags = [\"-short\"]\n",
			more: []string{"-trimpath", "-count=1"}, want: []string{"-short", "-trimpath", "-count=1"}},
		{name: "a wrong key is an error naming the file and its line", toml: "exclude = []\n[baseline]\ngo_test_flag = [\"-short\"]\n",
			wrong: "sprintkit.toml:3: unknown key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.toml != "" {
				testkit.WriteTree(t, root, map[string]string{"sprintkit.toml": tc.toml})
			}
			pf, err := loadProject(root)
			if tc.wrong != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wrong) || !strings.Contains(hint.Of(err), "fix sprintkit.toml") {
					t.Fatalf("loadProject: %v (hint %q), want an error with %q and a hint", err, hint.Of(err), tc.wrong)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := goTestFlags(pf, tc.more); !slices.Equal(got, tc.want) {
				t.Errorf("goTestFlags = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCoverageWithABrokenProjectFileStopsBeforeAnyWork(t *testing.T) {
	root := t.TempDir()
	testkit.WriteTree(t, root, map[string]string{
		"go.mod":         "module example.com/m\n\ngo 1.22\n",
		"m.go":           "package m\n",
		"sprintkit.toml": "exclude = \"gen\"\n",
	})
	_, err := Coverage(context.Background(), CoverageOptions{Dir: root})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(root, "sprintkit.toml")+":1") {
		t.Fatalf("Coverage: %v, want an error naming sprintkit.toml:1", err)
	}
	if _, err := os.Stat(filepath.Join(root, state.DirName)); !os.IsNotExist(err) {
		t.Errorf("%s after the error: %v, want nothing written", state.DirName, err)
	}
}
