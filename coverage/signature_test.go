package coverage

import "testing"

func TestSignature(t *testing.T) {
	for _, c := range []struct{ name, output, want string }{
		{"a t.Error line gives its file:line and message",
			"=== RUN   TestX\n    x_test.go:12: X() = 1, want 2\n--- FAIL: TestX (0.00s)\n", "x_test.go:12: X() = 1, want 2"},
		{"the first of several failing lines is the cause",
			"    x_test.go:12: first\n    x_test.go:14: second\n", "x_test.go:12: first"},
		{"addresses, durations, goroutine numbers and temporary paths are taken out",
			"    x_test.go:9: at 0xc000123abc after 1.5s in /tmp/TestX123/001/f.txt on goroutine 42\n",
			"x_test.go:9: at 0x? after ?s in $TMP on goroutine ?"},
		{"a panic without a test log line gives the panic line, not a stack frame",
			"--- FAIL: TestP (0.00s)\npanic: runtime error: index out of range [3] with length 1 [recovered]\n\ngoroutine 7 [running]:\ntesting.tRunner.func1.2({0x5a1e80, 0xc000014120})\n\t/usr/lib/go/src/testing/testing.go:1632 +0x3fc\n",
			"panic: runtime error: index out of range [3] with length 1 [recovered]"},
		{"pytest's file:line line is a cause too",
			"tests/test_a.py:7: AssertionError\n", "tests/test_a.py:7: AssertionError"},
		{"no output, no signature", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Signature(c.output); got != c.want {
				t.Errorf("Signature(%q) = %q, want %q", c.output, got, c.want)
			}
		})
	}
}

func TestSameCause(t *testing.T) {
	before := TestResult{Package: "p", Test: "TestX", Outcome: "fail", Output: "    x_test.go:12: X() = 1, want 2 (took 3ms)\n"}
	for _, c := range []struct {
		name, output, want string
		same               bool
	}{
		{"the same message with another duration is the same cause", "    x_test.go:12: X() = 1, want 2 (took 9ms)\n", "still failing, same cause", true},
		{"a baseline's signature without its file:line is the same cause when the message is", "",
			"still failing, same cause", true},
		{"a changed failure message fails differently", "    x_test.go:12: X() = 3, want 2\n", "fails differently now (was: x_test.go:12: X() = 1, want 2 (took ?s))", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, now := before, TestResult{Outcome: "fail", Output: c.output}
			if c.output == "" {
				before = TestResult{Outcome: "fail", Output: "Old is broken\n"}
				now.Output = "    p_test.go:9: Old is broken\n"
			}
			got, same := SameCause(before, now)
			if got != c.want || same != c.same {
				t.Errorf("SameCause = %q, %v; want %q, %v", got, same, c.want, c.same)
			}
		})
	}
	b := NewBaseline(&Result{Tests: []TestResult{before}})
	if b.Tests[0].Signature != "x_test.go:12: X() = 1, want 2 (took ?s)" {
		t.Errorf("the baseline's signature = %q", b.Tests[0].Signature)
	}
}
