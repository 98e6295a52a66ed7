package coverage

import (
	"os"
	"regexp"
	"strings"
)

// A failure's cause
//
// Signature is a failure's short signature: the first line of its output
// that names a source line ("file.go:12: message", as testing and pytest
// print them), else the line that says how its test binary died ("panic:
// …"), else its first line; normalised, so that two runs of the same
// failure agree: hexadecimal addresses, durations, goroutine numbers and
// temporary directories are replaced by placeholders, and runs of spaces
// are one. "" when the output says nothing.

var (
	sourceLineRE = regexp.MustCompile(`^([\w./\\-]+\.(?:go|py):\d+): (.*)$`)
	hexRE        = regexp.MustCompile(`0x[0-9a-fA-F]+`)
	durationRE   = regexp.MustCompile(`\b\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m|h)\b`)
	goroutineRE  = regexp.MustCompile(`goroutine \d+`)
	tempDirRE    = regexp.MustCompile(`(?:/private)?/var/folders/[^\s:"']+|/tmp/[^\s:"']*|[A-Za-z]:\\[^\s:"']*\\Temp\\[^\s:"']*`)
	spacesRE     = regexp.MustCompile(`\s+`)
)

// maxSignature bounds a signature's length, in bytes.
const maxSignature = 200

// Signature returns the signature of a failure's output.
func Signature(output string) string {
	var first, crash string
	for _, line := range strings.Split(output, "\n") {
		l := strings.TrimSpace(line)
		if l == "" || strings.HasPrefix(l, "=== ") {
			continue
		}
		if m := sourceLineRE.FindStringSubmatch(l); m != nil {
			return normalise(m[1] + ": " + m[2])
		}
		if crash == "" && (strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ")) {
			crash = l
		}
		if first == "" && !strings.HasPrefix(l, "--- FAIL") {
			first = l
		}
	}
	if crash != "" {
		return normalise(crash)
	}
	return normalise(first)
}

// ownTempRE matches paths under this machine's temporary directory.
var ownTempRE = regexp.MustCompile(regexp.QuoteMeta(os.TempDir()) + `[^\s:"']*`)

// withoutSourceLine is a signature without its leading "file:line: ".
func withoutSourceLine(sig string) string {
	if m := sourceLineRE.FindStringSubmatch(sig); m != nil {
		return m[2]
	}
	return sig
}

func normalise(s string) string {
	if len(os.TempDir()) > 1 {
		s = ownTempRE.ReplaceAllString(s, "$$TMP")
	}
	s = tempDirRE.ReplaceAllString(s, "$$TMP")
	s = hexRE.ReplaceAllString(s, "0x?")
	s = durationRE.ReplaceAllString(s, "?s")
	s = goroutineRE.ReplaceAllString(s, "goroutine ?")
	s = strings.TrimSpace(spacesRE.ReplaceAllString(s, " "))
	if len(s) > maxSignature {
		s = s[:maxSignature] + "…"
	}
	return s
}

// Cause is t's signature: TestResult.Signature, or worked out from its
// output when the runner did not record one (an older baseline).
func (t TestResult) Cause() string {
	if t.Signature != "" {
		return t.Signature
	}
	return Signature(t.Output)
}

// SameCause compares a test failing now with its failure at the baseline:
// "still failing, same cause", or "fails differently now (was: …)"; "" and
// true when the baseline recorded nothing to compare with.
func SameCause(before, now TestResult) (string, bool) {
	was, is := before.Cause(), now.Cause()
	switch {
	case was == "":
		return "", true
	case was == is, sourceLineRE.FindString(was) == "" && withoutSourceLine(is) == was:
		// A signature without its file:line (a baseline written by hand
		// or by an older runner) is the same when the message is.
		return "still failing, same cause", true
	}
	return "fails differently now (was: " + was + ")", false
}
