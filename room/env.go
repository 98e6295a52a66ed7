package room

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"

	"github.com/sprintkit/sprintkit/internal/state"
)

// ServerEnv is the variable of a checkout's .sprintkit/env that names the
// sprint server it was set up from.
const ServerEnv = "SPRINTKIT_SERVER"

// RecordedServer returns the sprint server the checkout around dir was set
// up from (SPRINTKIT_SERVER in the nearest .sprintkit/env at or above
// dir) and the file that says so; "" when none does.
func RecordedServer(dir string) (server, file string) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", ""
	}
	for {
		f := state.Path(d, state.EnvFile)
		if v := readExport(f, ServerEnv); v != "" {
			return v, f
		}
		up := filepath.Dir(d)
		if up == d {
			return "", ""
		}
		d = up
	}
}

// readExport reads the value of `export KEY=VALUE` (VALUE bare or in single
// quotes, as image.ExportLines writes it) from file; "" when absent.
func readExport(file, key string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	v := ""
	for sc.Scan() {
		rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "export "+key+"=")
		if !ok {
			continue
		}
		if strings.HasPrefix(rest, "'") {
			rest = strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(rest, "'"), "'"), `'\''`, "'")
		}
		v = rest
	}
	return v
}
