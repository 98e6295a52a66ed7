package checkout

import (
	"testing"
	"time"
)

func TestProgressWriterParsesSidebandText(t *testing.T) {
	var got []Progress
	p := newProgressWriter(t.TempDir(), time.Now().Add(-time.Second), func(pr Progress) { got = append(got, pr) })
	// Server progress arrives in pieces, with \r while a line updates.
	for _, chunk := range []string{
		"Enumerating objects: 5101, done.\n",
		"Counting objects:  40% (2040/5101)\r",
		"Counting objects: 100% (5101/5101), do", "ne.\n",
		"Compressing objects:  50% (2400/4800)\rCompressing objects: 100% (4800/4800), done.\n",
		"Total 5101 (delta 0), reused 0 (delta 0), pack-reused 0\n",
	} {
		p.last = time.Time{} // let every line through the 200 ms throttle
		if _, err := p.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) == 0 {
		t.Fatal("no progress reported")
	}
	want := []struct {
		phase          string
		objects, total int
	}{
		{"counting", 5101, 5101}, {"counting", 2040, 5101}, {"counting", 5101, 5101},
		{"compressing", 2400, 4800}, {"compressing", 4800, 4800},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d reports %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if got[i].Phase != w.phase || got[i].Objects != w.objects || got[i].TotalObjects != w.total {
			t.Errorf("report %d = %+v, want %s %d/%d", i, got[i], w.phase, w.objects, w.total)
		}
	}
	if p.cur.TotalObjects != 5101 {
		t.Errorf("after Total: %d objects, want 5101", p.cur.TotalObjects)
	}
}
