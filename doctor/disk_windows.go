//go:build windows

package doctor

import "golang.org/x/sys/windows"

// freeBytes returns the bytes available to the caller on the volume holding
// path (GetDiskFreeSpaceEx).
func freeBytes(path string) (uint64, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return 0, err
	}
	var free, total, totalFree uint64
	if err := windows.GetDiskFreeSpaceEx(p, &free, &total, &totalFree); err != nil {
		return 0, err
	}
	return free, nil
}
