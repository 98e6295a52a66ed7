package hint

import (
	"errors"
	"fmt"
	"testing"
)

func TestHint(t *testing.T) {
	base := errors.New("clone: repository not found")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"an error without a hint has none", base, ""},
		{"a hint is found through wrapping", fmt.Errorf("setup: %w", With(base, "check the URL")), "check the URL"},
		{"the outermost hint wins", With(With(base, "inner"), "outer"), "outer"},
		{"an empty hint adds nothing", With(base, ""), ""},
		{"nil stays nil", With(nil, "x"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Of(tt.err); got != tt.want {
				t.Errorf("Of = %q, want %q", got, tt.want)
			}
		})
	}
	if !errors.Is(With(base, "h"), base) {
		t.Error("With hides the error it wraps from errors.Is")
	}
	if With(nil, "h") != nil {
		t.Error("With(nil) is not nil")
	}
}
