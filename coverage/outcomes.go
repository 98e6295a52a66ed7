package coverage

// OutcomeFlaky is the outcome of a test that failed in a run and passed
// when run again alone: not a failure, shown apart ("pass", "fail" and
// "skip" are the others).
const OutcomeFlaky = "flaky"

// Outcomes counts test results by outcome: the one rule every summary, the
// baseline and watch-test use. Every reported test counts, subtests too,
// as `go test -json` and pytest's junit report list them.
type Outcomes struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	Flaky   int `json:"flaky,omitempty"`
}

// CountOutcomes counts tests by outcome.
func CountOutcomes(tests []TestResult) Outcomes {
	var o Outcomes
	for _, t := range tests {
		switch t.Outcome {
		case "pass":
			o.Passed++
		case "fail":
			o.Failed++
		case "skip":
			o.Skipped++
		case OutcomeFlaky:
			o.Flaky++
		}
	}
	return o
}

// Flaky returns the tests that failed and passed when run again alone, in
// the order of Tests.
func (r *Result) Flaky() []TestResult {
	var out []TestResult
	for _, t := range r.Tests {
		if t.Outcome == OutcomeFlaky {
			out = append(out, t)
		}
	}
	return out
}
