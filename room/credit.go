package room

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Credit is what a claimant's work added against the sprint's baseline,
// as `sprintkit claim TARGET --done` measured it in their checkout: the
// statements no baseline test ran that run now, the coverage before and
// after, the functions that gained, and the tests added or changed. The
// board shows it beside the claim ("done · +3 statements, Parse07 now
// fully covered").
type Credit struct {
	// NewlyCovered counts the statements no baseline test ran that run
	// now (coverage.Delta's figure).
	NewlyCovered int `json:"newly_covered"`
	// PercentBefore and Percent are the checkout's coverage at the
	// baseline and now.
	PercentBefore float64 `json:"percent_before"`
	Percent       float64 `json:"percent"`
	// Functions are the functions that gained, most gained first.
	Functions []CreditFunction `json:"functions,omitempty"`
	// Tests name the test functions the work adds or changes.
	Tests []string `json:"tests,omitempty"`
}

// CreditFunction is one function that more statements of run now.
type CreditFunction struct {
	Name       string `json:"name"`
	File       string `json:"file,omitempty"`
	Gained     int    `json:"gained"`
	Covered    int    `json:"covered"`
	Statements int    `json:"statements"`
}

// Limits on what a credit holds, so that a board stays readable.
const (
	MaxCreditFunctions = 50
	MaxCreditTests     = 50
	maxCreditName      = 512 // bytes
)

// creditShown is how many functions the one-line figure names.
const creditShown = 3

// String is the figure as the board shows it: "+3 statements (14.3% →
// 15.7%), Parse07 now fully covered, Lex 4 of 6; 1 test (TestParse07)".
func (c *Credit) String() string {
	word := "statements"
	if c.NewlyCovered == 1 {
		word = "statement"
	}
	s := fmt.Sprintf("+%d %s (%.1f%% → %.1f%%)", c.NewlyCovered, word, c.PercentBefore, c.Percent)
	for i, f := range c.Functions {
		if i == creditShown {
			s += fmt.Sprintf(" and %d more", len(c.Functions)-creditShown)
			break
		}
		if f.Statements > 0 && f.Covered == f.Statements {
			s += ", " + f.Name + " now fully covered"
		} else {
			s += fmt.Sprintf(", %s %d of %d", f.Name, f.Covered, f.Statements)
		}
	}
	switch n := len(c.Tests); {
	case n == 1:
		s += "; 1 test (" + c.Tests[0] + ")"
	case n > 1 && n <= creditShown:
		s += fmt.Sprintf("; %d tests (%s)", n, strings.Join(c.Tests, ", "))
	case n > creditShown:
		s += fmt.Sprintf("; %d tests (%s, …)", n, strings.Join(c.Tests[:creditShown], ", "))
	}
	return s
}

// Check reports what is wrong with a credit a client sent, nil when
// nothing is: counts are not negative, percentages are between 0 and 100,
// the lists are at most their limits long and their names are short
// printable text.
func (c *Credit) Check() error {
	switch {
	case c.NewlyCovered < 0:
		return errors.New("credit: newly_covered is negative")
	case !percent(c.Percent) || !percent(c.PercentBefore):
		return errors.New("credit: a percentage is not between 0 and 100")
	case len(c.Functions) > MaxCreditFunctions:
		return fmt.Errorf("credit: more than %d functions", MaxCreditFunctions)
	case len(c.Tests) > MaxCreditTests:
		return fmt.Errorf("credit: more than %d tests", MaxCreditTests)
	}
	for _, f := range c.Functions {
		if f.Gained < 0 || f.Covered < 0 || f.Statements < 0 || f.Covered > f.Statements {
			return fmt.Errorf("credit: function %q: counts out of range", f.Name)
		}
		if err := creditName("function", f.Name); err != nil {
			return err
		}
		if err := creditName("file", f.File); err != nil && f.File != "" {
			return err
		}
	}
	for _, t := range c.Tests {
		if err := creditName("test", t); err != nil {
			return err
		}
	}
	return nil
}

func percent(p float64) bool { return p >= 0 && p <= 100 }

// creditName refuses an empty, long, invalid or control-holding name.
func creditName(what, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("credit: a %s without a name", what)
	case len(s) > maxCreditName:
		return fmt.Errorf("credit: a %s name is longer than %d bytes", what, maxCreditName)
	case !utf8.ValidString(s):
		return fmt.Errorf("credit: %s name %q is not valid UTF-8", what, s)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0:
		return fmt.Errorf("credit: %s name %q holds a control or formatting character", what, s)
	}
	return nil
}
