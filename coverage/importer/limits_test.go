package importer

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// countingReader counts the bytes a parser took from its input.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestParseCoberturaRefusesDeepNestingNamingTheLine(t *testing.T) {
	tests := []struct {
		name   string
		levels int
		want   string
	}{
		{"100,000 nested elements are refused at the 65th", 100000, "cov.xml:65: want elements nested at most 64 deep (Cobertura needs 9), got <a> deeper"},
		{"65 nested elements are refused", 64, "cov.xml:65: want elements nested at most 64 deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			b.WriteString("<coverage>\n")
			for i := 0; i < tt.levels; i++ {
				b.WriteString("<a>\n")
			}
			for i := 0; i < tt.levels; i++ {
				b.WriteString("</a>\n")
			}
			b.WriteString("</coverage>\n")
			size := b.Len()
			cr := &countingReader{r: &b}
			_, err := ParseCobertura("cov.xml", cr)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant prefix %q", err, tt.want)
			}
			if tt.levels > 1000 && cr.n > 64<<10 {
				t.Errorf("read %d of %d bytes before the error, want at most 64 KiB", cr.n, size)
			}
		})
	}
	ok := "<coverage>" + strings.Repeat("<x>", 63) + strings.Repeat("</x>", 63) + "</coverage>"
	if _, err := ParseCobertura("cov.xml", strings.NewReader(ok)); err != nil {
		t.Errorf("64 levels: %v, want it accepted", err)
	}
}
