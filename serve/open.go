package serve

import (
	"errors"
	"fmt"
	"os"
)

// errNotServed refuses what an image may hold but serve never reads.
var errNotServed = errors.New("not a regular file or directory, not served")

// openServed opens name in root for reading without blocking on what is
// not a file (O_NONBLOCK on Unix: a named pipe planted in the image would
// otherwise hang the request, and pin a thread, in the open itself), and
// refuses anything but a regular file or a directory, so that a FIFO, a
// device or a socket is never read.
func openServed(root *os.Root, name string) (*os.File, os.FileInfo, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() && !fi.IsDir() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", name, errNotServed)
	}
	return f, fi, nil
}
