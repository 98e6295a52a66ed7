//go:build !windows

package image

func envKeyEqual(a, b string) bool { return a == b }
