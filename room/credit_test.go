package room

import (
	"strings"
	"testing"
)

func TestCreditString(t *testing.T) {
	full := CreditFunction{Name: "Parse07", File: "f07.go", Gained: 3, Covered: 3, Statements: 3}
	part := CreditFunction{Name: "Lex", Gained: 2, Covered: 4, Statements: 6}
	tests := []struct {
		name string
		c    Credit
		want string
	}{
		{"one function fully covered by one test", Credit{NewlyCovered: 3, PercentBefore: 14.3, Percent: 15.7, Functions: []CreditFunction{full}, Tests: []string{"TestParse07"}},
			"+3 statements (14.3% → 15.7%), Parse07 now fully covered; 1 test (TestParse07)"},
		{"a partly covered function says how far", Credit{NewlyCovered: 2, PercentBefore: 50, Percent: 60, Functions: []CreditFunction{part}},
			"+2 statements (50.0% → 60.0%), Lex 4 of 6"},
		{"one statement is singular", Credit{NewlyCovered: 1, PercentBefore: 1, Percent: 2}, "+1 statement (1.0% → 2.0%)"},
		{"more than three functions are counted, not named", Credit{NewlyCovered: 12, Functions: []CreditFunction{full, part, full, part, full}, Tests: []string{"TestA", "TestB", "TestC", "TestD"}},
			"+12 statements (0.0% → 0.0%), Parse07 now fully covered, Lex 4 of 6, Parse07 now fully covered and 2 more; 4 tests (TestA, TestB, TestC, …)"},
		{"a change that covers nothing new still reports its tests", Credit{PercentBefore: 10, Percent: 10, Tests: []string{"TestA", "TestB"}},
			"+0 statements (10.0% → 10.0%); 2 tests (TestA, TestB)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.String(); got != tt.want {
				t.Errorf("String() =\n %q\nwant\n %q", got, tt.want)
			}
		})
	}
}

func TestCreditCheck(t *testing.T) {
	many := make([]string, MaxCreditTests+1)
	for i := range many {
		many[i] = "TestX"
	}
	tests := []struct {
		name    string
		c       Credit
		wantErr string // "" when the credit is accepted
	}{
		{"a measured credit is accepted", Credit{NewlyCovered: 3, PercentBefore: 14.3, Percent: 15.7, Functions: []CreditFunction{{Name: "Parse07", File: "f07.go", Gained: 3, Covered: 3, Statements: 3}}, Tests: []string{"TestParse07"}}, ""},
		{"a negative count is refused", Credit{NewlyCovered: -1}, "negative"},
		{"a percentage over 100 is refused", Credit{Percent: 101}, "between 0 and 100"},
		{"more covered than a function has is refused", Credit{Functions: []CreditFunction{{Name: "F", Covered: 4, Statements: 3}}}, "out of range"},
		{"too many tests are refused", Credit{Tests: many}, "more than 50 tests"},
		{"a test name with an escape sequence is refused", Credit{Tests: []string{"Test\x1b[31m"}}, "control or formatting character"},
		{"a function without a name is refused", Credit{Functions: []CreditFunction{{Covered: 1, Statements: 1}}}, "without a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Check()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Check() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Check() = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
