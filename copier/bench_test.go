package copier

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchTree writes n small files in nested directories under root and
// returns their total size.
func benchTree(b *testing.B, root string, n int) int64 {
	b.Helper()
	var total int64
	for i := 0; i < n; i++ {
		p := filepath.Join(root, fmt.Sprintf("d%d", i%50), fmt.Sprintf("e%d", i%7), fmt.Sprintf("f%d.go", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		data := strings.Repeat("package x // some source\n", 20+i%200)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(len(data))
	}
	return total
}

// BenchmarkCopyTree copies a tree of 2,000 small files into a fresh
// directory, and BenchmarkRecopyTree re-copies it unchanged; both report
// files per second. Compare runs with benchstat (go test -bench Copy -count 10).
// The directory comes from $COPIER_BENCH_DIR (for example /dev/shm) or the
// test's temporary directory.
func BenchmarkCopyTree(b *testing.B) {
	base := benchDir(b)
	src := filepath.Join(base, "src")
	size := benchTree(b, src, 2000)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dst := filepath.Join(base, fmt.Sprintf("dst%d", i))
		if _, err := Copy(context.Background(), src, dst, Options{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(dst)
		b.StartTimer()
	}
	b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "files/s")
}

func BenchmarkRecopyTree(b *testing.B) {
	base := benchDir(b)
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	benchTree(b, src, 2000)
	if _, err := Copy(context.Background(), src, dst, Options{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := Copy(context.Background(), src, dst, Options{})
		if err != nil || st.Files != 0 {
			b.Fatalf("re-copy: %v, %d files copied", err, st.Files)
		}
	}
	b.ReportMetric(float64(2000*b.N)/b.Elapsed().Seconds(), "files/s")
}

func benchDir(b *testing.B) string {
	if d := os.Getenv("COPIER_BENCH_DIR"); d != "" {
		dir, err := os.MkdirTemp(d, "copier-bench-")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return b.TempDir()
}
