// Package quickopen opens the many small regular files of a report (the
// sources it reads, the pages it writes) with fewer system calls than
// os.Open and os.Create.
//
// On Linux, os.OpenFile puts every file it opens into non-blocking mode to
// try the runtime poller, which refuses regular files, and then back: four
// fcntl calls per file, which for the 5,000 sources read twice and 5,000
// pages written of a large module are a measurable part of the report's
// time on a virtual machine. A file opened with O_NONBLOCK already is left
// as it is; for a regular file the flag changes nothing (reads and writes
// of regular files never return EAGAIN), and a named pipe opened by
// mistake does not block the open. Elsewhere (Windows, where the flag would
// mean overlapped I/O) the files are opened as os.Open and os.Create do.
package quickopen

import (
	"io"
	"os"
)

// Open opens name for reading, as os.Open.
func Open(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|flag, 0)
}

// Create creates or truncates name for writing, as os.Create.
func Create(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC|flag, 0o666)
}

// ReadFile reads the whole file name, as os.ReadFile.
func ReadFile(name string) ([]byte, error) {
	f, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	return ReadAllSized(f, size)
}

// ReadAllSized reads r to its end into a buffer sized for size bytes (the
// file's size when it was opened), growing it only if the file has grown,
// as os.ReadFile does.
func ReadAllSized(r io.Reader, size int64) ([]byte, error) {
	b := make([]byte, 0, max(size, 0)+512)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
