package pytest

import (
	"strings"

	"github.com/sprintkit/sprintkit/coverage"
)

// parseUnittest reads the verbose output of `python -m unittest -v`:
//
//	test_add (tests.test_ops.TestOps.test_add) ... ok
//	test_div (tests.test_ops.TestOps) ... FAIL        (Python < 3.11)
//	test_x (tests.test_ops.TestOps.test_x) ... skipped 'why'
//	======================================================================
//	FAIL: test_div (tests.test_ops.TestOps.test_div)
//	----------------------------------------------------------------------
//	Traceback …
func parseUnittest(out string, mods map[string]string) []coverage.TestResult {
	var tests []coverage.TestResult
	index := map[string]int{}
	lines := strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n")
	key := func(name, paren string) (string, string) {
		cls := strings.TrimSuffix(paren, "."+name)
		return splitTestName(cls, name, mods)
	}
	for n, l := range lines {
		i := strings.Index(l, " ... ")
		if i < 0 {
			continue
		}
		head, status := l[:i], strings.TrimSpace(l[i+5:])
		open := strings.Index(head, " (")
		if (open < 0 || !strings.HasSuffix(head, ")")) && n > 0 {
			// A test with a docstring: "name (path)" on its own line, then
			// the docstring's first line with the status.
			head = lines[n-1]
			open = strings.Index(head, " (")
		}
		if open < 0 || !strings.HasSuffix(head, ")") {
			continue
		}
		name, paren := head[:open], head[open+2:len(head)-1]
		outcome := ""
		switch {
		case status == "ok", status == "expected failure":
			outcome = "pass"
		case status == "FAIL", status == "ERROR", status == "unexpected success":
			outcome = "fail"
		case strings.HasPrefix(status, "skipped"):
			outcome = "skip"
		default:
			continue
		}
		pkg, test := key(name, paren)
		if strings.HasPrefix(paren, failedTest) {
			pkg, test = name, collectionTest // a module that failed to import
		}
		index[pkg+"\x00"+test] = len(tests)
		tests = append(tests, coverage.TestResult{Package: pkg, Test: test, Outcome: outcome})
	}
	// Failure sections carry the tracebacks.
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		var rest string
		switch {
		case strings.HasPrefix(l, "FAIL: "):
			rest = l[6:]
		case strings.HasPrefix(l, "ERROR: "):
			rest = l[7:]
		default:
			continue
		}
		open := strings.Index(rest, " (")
		if open < 0 || !strings.HasSuffix(rest, ")") {
			continue
		}
		pkg, test := key(rest[:open], rest[open+2:len(rest)-1])
		if strings.HasPrefix(rest[open+2:], failedTest) {
			pkg, test = rest[:open], collectionTest
		}
		j := i + 1 // past a docstring line, then the dashes
		for j < len(lines) && !strings.HasPrefix(lines[j], "-----") && !strings.HasPrefix(lines[j], "=====") {
			j++
		}
		if j < len(lines) && strings.HasPrefix(lines[j], "-----") {
			j++
		}
		k := j
		for k < len(lines) && !strings.HasPrefix(lines[k], "=====") && !strings.HasPrefix(lines[k], "-----") {
			k++
		}
		text := strings.TrimSpace(strings.Join(lines[j:k], "\n"))
		if test == collectionTest {
			text = collectionOutput(text)
		}
		if at, ok := index[pkg+"\x00"+test]; ok {
			tests[at].Output = text
		} else if strings.HasPrefix(l, "ERROR: ") {
			// A module that failed to import is reported only here.
			tests = append(tests, coverage.TestResult{Package: pkg, Test: test, Outcome: "fail", Output: text})
		}
		i = k - 1
	}
	return tests
}
