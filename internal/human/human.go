// Package human formats figures for people: sizes in IEC units (KiB, MiB,
// GiB: powers of 1024, as `ls -lh` and `du -h` mean them) and short commits.
package human

import (
	"fmt"
	"strings"
)

// Bytes formats n in IEC units with one decimal from MiB up: "512 B",
// "12 KiB", "3.4 MiB", "1.2 GiB".
func Bytes(n int64) string {
	switch {
	case n >= 1<<40:
		return fmt.Sprintf("%.1f TiB", float64(n)/(1<<40))
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", (n+1023)/1024)
	}
	return fmt.Sprintf("%d B", n)
}

// Commit shortens a commit hash to its first 12 hex digits, as `git log
// --abbrev=12` does; shorter strings are returned as they are.
func Commit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// Count is "1 package", "3 packages": n with the word in singular or plural.
func Count(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Word is one or many by n: "1 file", "3 files" without the number.
func Word(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Int is n with thousands separated by commas: "1,234".
func Int(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
