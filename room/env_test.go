package room

import (
	"path/filepath"
	"testing"

	"github.com/sprintkit/sprintkit/internal/testkit"
)

func TestRecordedServerReadsTheNearestEnvFile(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		from  string
		want  string
	}{
		{name: "a bare value in the checkout's env file",
			files: map[string]string{".sprintkit/env": "# comment\nexport GOPROXY=http://h/mod,off\nexport SPRINTKIT_SERVER=http://10.0.0.5:8765/\n"},
			from:  ".", want: "http://10.0.0.5:8765/"},
		{name: "a quoted value, from a directory below the checkout",
			files: map[string]string{".sprintkit/env": "export SPRINTKIT_SERVER='http://h:1/it'\\''s/'\n", "pkg/sub/a.go": "package sub\n"},
			from:  "pkg/sub", want: "http://h:1/it's/"},
		{name: "an env file without the server names none",
			files: map[string]string{".sprintkit/env": "export GOPROXY=off\n"},
			from:  ".", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			testkit.WriteTree(t, dir, tt.files)
			got, file := RecordedServer(filepath.Join(dir, tt.from))
			if got != tt.want {
				t.Fatalf("server = %q, want %q", got, tt.want)
			}
			if tt.want != "" && file != filepath.Join(dir, ".sprintkit", "env") {
				t.Errorf("file = %q", file)
			}
		})
	}
}
