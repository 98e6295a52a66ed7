//go:build !unix

package serve

// nonBlock is 0 where O_NONBLOCK would mean something else (Windows:
// overlapped I/O); no named pipe lives in a directory there.
const nonBlock = 0
