package coverage

// Outcomes counts test results by outcome: the one rule every summary, the
// baseline and watch-test use. Every reported test counts, subtests too,
// as `go test -json` and pytest's junit report list them.
type Outcomes struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
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
		}
	}
	return o
}
