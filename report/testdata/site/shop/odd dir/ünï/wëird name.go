package ünï

// Écho returns its argument.
func Écho(s string) string {
	return s
}
