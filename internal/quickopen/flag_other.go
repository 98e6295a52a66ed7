//go:build !unix

package quickopen

const flag = 0
