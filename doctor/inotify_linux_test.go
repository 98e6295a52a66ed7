package doctor

import (
	"strings"
	"testing"
)

func TestInotifyVerdict(t *testing.T) {
	cases := []struct {
		name        string
		limit, dirs int
		want        Status
	}{
		{"few directories pass", 8192, 100, OK},
		{"unknown directories report the limit", 8192, 0, OK},
		{"over half the limit warns: editors share it", 8192, 5000, Warn},
		{"more directories than the limit warns with the sysctl", 8192, 9000, Warn},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := inotifyVerdict(Check{}, tc.limit, tc.dirs)
			if c.Status != tc.want {
				t.Errorf("got %s %q, want %s", c.Status, c.Detail, tc.want)
			}
			if c.Status == Warn && !strings.Contains(c.Hint, "max_user_watches") {
				t.Errorf("hint %q does not say how to raise the limit", c.Hint)
			}
		})
	}
}
