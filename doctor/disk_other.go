//go:build !linux && !darwin && !freebsd && !windows

package doctor

import "errors"

func freeBytes(path string) (uint64, error) {
	return 0, errors.New("not supported on this system")
}
