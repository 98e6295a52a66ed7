package safefs

import "testing"

// The element-by-element walk is what kernels without openat2 (and every
// other Unix) use; it must refuse the same things.
func TestMkdirAllWithoutOpenat2(t *testing.T) {
	was := noOpenat2.Load()
	noOpenat2.Store(true)
	defer noOpenat2.Store(was)
	testMkdirAll(t)
}
