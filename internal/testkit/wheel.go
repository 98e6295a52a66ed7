package testkit

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// WriteWheel writes a real wheel of name and version into dir: a zip with
// the modules (file name → source) and name-version.dist-info/{METADATA,
// WHEEL,RECORD}, as pip installs it. It returns the wheel's path.
func WriteWheel(t testing.TB, dir, name, version string, modules map[string]string) string {
	t.Helper()
	dist := strings.ReplaceAll(name, "-", "_")
	p := filepath.Join(dir, dist+"-"+version+"-py3-none-any.whl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(f)
	info := dist + "-" + version + ".dist-info/"
	files := map[string]string{
		info + "METADATA": "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n",
		info + "WHEEL":    "Wheel-Version: 1.0\nGenerator: sprintkit-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
	}
	for k, v := range modules {
		files[k] = v
	}
	var record []string
	for k, v := range files {
		w, err := z.Create(k)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(v))
		record = append(record, k+",,")
	}
	w, _ := z.Create(info + "RECORD")
	w.Write([]byte(strings.Join(append(record, info+"RECORD,,"), "\n") + "\n"))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}
