package checkout

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkClone clones $SPRINTKIT_BENCH_CLONE_URL (for example the
// repository bench/clone.sh serves) with the default options, for profiling
// the clone engine alone:
//
//	SPRINTKIT_BENCH_CLONE_URL=http://127.0.0.1:PORT/repo.git \
//	  go test ./checkout -run '^$' -bench Clone -benchtime 5x -cpuprofile cpu.out
func BenchmarkClone(b *testing.B) {
	url := os.Getenv("SPRINTKIT_BENCH_CLONE_URL")
	if url == "" {
		b.Skip("set SPRINTKIT_BENCH_CLONE_URL to a repository to clone")
	}
	files := 0
	for i := 0; i < b.N; i++ {
		dst := filepath.Join(b.TempDir(), "repo")
		res, err := Clone(context.Background(), Options{URL: url, Dir: dst, Depth: 1})
		if err != nil {
			b.Fatal(err)
		}
		files += res.Files
	}
	b.ReportMetric(float64(files)/b.Elapsed().Seconds(), "files/s")
}
