package onboard

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
)

// A report of a large module allocates a few hundred megabytes over a live
// heap of about a hundred (the result, the kept tokens, the pages'
// buffers): at Go's default GOGC of 100 the collector then takes about a
// tenth of the command's CPU. siteGCPercent lets the heap grow to three
// times the live data instead while that stays small (bigHeap); a user's
// GOGC is left as it is. bench/html.sh measures the command.
const (
	siteGCPercent = 200
	bigHeap       = 512 << 20
)

// relaxGC raises the collector's target for a command that writes the HTML
// report; the function it returns puts the previous one back.
func relaxGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(siteGCPercent)
	return func() { debug.SetGCPercent(prev) }
}

// tightenGCIfBig puts the default target back when the live heap is large:
// the memory the relaxed target costs grows with it.
func tightenGCIfBig(restore func()) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 && s[0].Value.Uint64() > bigHeap {
		restore()
	}
}
