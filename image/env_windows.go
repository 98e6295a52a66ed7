//go:build windows

package image

import "strings"

// Environment variable names are case-insensitive on Windows.
func envKeyEqual(a, b string) bool { return strings.EqualFold(a, b) }
