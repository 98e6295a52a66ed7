package report

import (
	"os"
	"testing"
)

// BenchmarkHighlightGo compares the two ways a Go file can be highlighted,
// on a real file of the repository: go/scanner (what tokenise uses for Go)
// and chroma's Go lexer (what it uses for other languages). MB/s is source
// per second.
func BenchmarkHighlightGo(b *testing.B) {
	src, err := os.ReadFile("../coverage/gotest/gorun.go")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		run  func() []hlToken
	}{
		{"go-scanner", func() []hlToken { return goTokens(src, nil).tokens() }},
		{"chroma", func() []hlToken { return chromaTokens(lexerFor("gorun.go"), string(src)) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if bc.run() == nil {
					b.Fatal("not highlighted")
				}
			}
		})
	}
}
