package human

import "testing"

func TestBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1 KiB"}, {1025, "2 KiB"},
		{5 << 20, "5.0 MiB"}, {3<<30 + 1<<29, "3.5 GiB"}, {2 << 40, "2.0 TiB"},
	}
	for _, tt := range tests {
		if got := Bytes(tt.n); got != tt.want {
			t.Errorf("Bytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestCommitAndCount(t *testing.T) {
	if got := Commit("0123456789abcdef0123"); got != "0123456789ab" {
		t.Errorf("Commit = %q", got)
	}
	if got := Commit("abc"); got != "abc" {
		t.Errorf("Commit of a short string = %q", got)
	}
	if got := Count(1, "package", "packages"); got != "1 package" {
		t.Errorf("Count(1) = %q", got)
	}
	if got := Count(3, "test", "tests"); got != "3 tests" {
		t.Errorf("Count(3) = %q", got)
	}
}

func TestWordAgreesWithTheCount(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "are"}, {1, "is"}, {2, "are"}} {
		if got := Word(tc.n, "is", "are"); got != tc.want {
			t.Errorf("Word(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestIntSeparatesThousands(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-4321, "-4,321"}} {
		if got := Int(tc.n); got != tc.want {
			t.Errorf("Int(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
