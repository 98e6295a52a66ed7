package report

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
)

func TestEscapeStringMatchesTemplateHTMLEscape(t *testing.T) {
	for _, s := range []string{
		"", "plain", `<script>alert("x" & 'y')</script>`, "nul\x00byte", "\x00", "<<>>", "é ü ☃ \u2028",
		strings.Repeat("a&b", 1000), "ends with &", "&starts",
	} {
		var want, got bytes.Buffer
		template.HTMLEscape(&want, []byte(s))
		escapeString(&got, s)
		if got.String() != want.String() {
			t.Errorf("escapeString(%q) = %q, want %q", s, got.String(), want.String())
		}
	}
}
