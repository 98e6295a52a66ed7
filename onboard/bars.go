package onboard

// barSwitch draws one progress bar at a time for a run whose steps each
// have their own (staging's copies and hashing, setting up from an image):
// a new step ends the bar of the last one.
type barSwitch struct {
	ev   Events
	bar  Bar
	step string
}

func newBarSwitch(ev Events) *barSwitch { return &barSwitch{ev: ev, bar: nopBar{}} }

// to returns the bar of step, labelled label, starting it (and ending the
// previous one) when step is not the one drawn.
func (b *barSwitch) to(step, label string, total int64) Bar {
	if b.step != step {
		b.bar.Done()
		b.bar, b.step = b.ev.bar(label, total, true), step
	}
	return b.bar
}

// done ends the bar drawn, if any.
func (b *barSwitch) done() {
	b.bar.Done()
	b.bar, b.step = nopBar{}, ""
}
