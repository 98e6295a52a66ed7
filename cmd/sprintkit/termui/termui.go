// Package termui decides how sprintkit talks to a person: whether a writer is
// a terminal, whether colour is allowed (NO_COLOR), and progress bars that
// draw only on a terminal and stay silent when output is piped.
//
// Engines never import this package: they report progress through callbacks,
// and the commands in cmd/sprintkit turn those callbacks into bars.
package termui

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// Color reports whether colour may be written to w: w is a terminal,
// NO_COLOR is unset or empty (https://no-color.org) and TERM is not "dumb".
func Color(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return IsTerminal(w)
}

// Progress is a progress bar on a terminal, and does nothing otherwise.
// A nil *Progress is valid and does nothing.
type Progress struct {
	bar *progressbar.ProgressBar
}

// NewProgress returns a bar drawn on w when w is a terminal. total may be -1
// when unknown (a spinner); bytes makes the counts print as sizes with a rate.
func NewProgress(w io.Writer, total int64, description string, bytes bool) *Progress {
	if !IsTerminal(w) {
		return nil
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionEnableColorCodes(Color(w)),
		progressbar.OptionSetWidth(30),
	}
	if bytes {
		opts = append(opts, progressbar.OptionShowBytes(true))
	}
	return &Progress{bar: progressbar.NewOptions64(total, opts...)}
}

// Set sets the current count.
func (p *Progress) Set(n int64) {
	if p != nil {
		_ = p.bar.Set64(n)
	}
}

// Add adds n to the current count.
func (p *Progress) Add(n int64) {
	if p != nil {
		_ = p.bar.Add64(n)
	}
}

// SetTotal changes the total, for walks that discover work as they go.
func (p *Progress) SetTotal(n int64) {
	if p != nil {
		p.bar.ChangeMax64(n)
	}
}

// Describe changes the text beside the bar.
func (p *Progress) Describe(s string) {
	if p != nil {
		p.bar.Describe(s)
	}
}

// Done clears the bar from the terminal.
func (p *Progress) Done() {
	if p != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}

// Update sets the count and, when total > 0, the total: it has the shape of
// the engines' progress callbacks, func(done, total int).
func (p *Progress) Update(done, total int) {
	if p == nil {
		return
	}
	if total > 0 {
		p.bar.ChangeMax64(int64(total))
	}
	_ = p.bar.Set64(int64(done))
}
