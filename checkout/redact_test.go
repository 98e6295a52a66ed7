package checkout

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

func wrapSentinel(which string) error {
	if which == "entry" {
		return fmt.Errorf("submodule update: %w", object.ErrEntryNotFound)
	}
	return fmt.Errorf("checkout: %w", plumbing.ErrObjectNotFound)
}

func TestRedact(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"a user and token in an https URL are both hidden", "https://user:ghp_tok@github.com/org/p.git", "https://***@github.com/org/p.git"},
		{"a token used as the user name is hidden", "https://ghp_tok@github.com/org/p.git", "https://***@github.com/org/p.git"},
		{"an http URL with a port keeps the port", "http://u:p@127.0.0.1:8080/p.git", "http://***@127.0.0.1:8080/p.git"},
		{"a URL without credentials is unchanged", "https://github.com/org/p.git", "https://github.com/org/p.git"},
		{"an ssh user stays and its password goes", "ssh://git:pw@host:22/org/p.git", "ssh://git:***@host:22/org/p.git"},
		{"an ssh URL with only a user is unchanged", "ssh://git@host/org/p.git", "ssh://git@host/org/p.git"},
		{"an scp-like address is unchanged", "git@github.com:org/p.git", "git@github.com:org/p.git"},
		{"a plain path is unchanged", "/srv/git/p.git", "/srv/git/p.git"},
		{"an @ in the path is not mistaken for credentials", "https://u:t@host/org/@p.git", "https://***@host/org/@p.git"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Redact(tc.in); got != tc.want {
				t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRedactText(t *testing.T) {
	url := "https://newcomer:tok3n-value@example.com/org/p.git"
	in := `Get "https://newcomer:***@example.com/org/p.git/info/refs": user newcomer token tok3n-value; also ` + url
	got := RedactText(in, url)
	for _, secret := range []string{"tok3n-value", "newcomer:"} {
		if strings.Contains(got, secret) {
			t.Errorf("RedactText left %q in %q", secret, got)
		}
	}
}

func TestDefaultDirAndTransport(t *testing.T) {
	cases := []struct{ url, dir, tr string }{
		{"https://github.com/org/project.git", "project", "https"},
		{"https://github.com/org/project/", "project", "https"},
		{"http://127.0.0.1:8080/project.git", "project", "http"},
		{"git@github.com:org/project.git", "project", "ssh"},
		{"ssh://git@host:22/org/project.git", "project", "ssh"},
		{"git://host/project.git", "project", "git"},
		{"file:///srv/git/project.git", "project", "file"},
		{"/srv/git/project.git", "project", "file"},
		{"/srv/git/project/.git", "project", "file"},
		{"../project", "project", "file"},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			if got := DefaultDir(tc.url); got != tc.dir {
				t.Errorf("DefaultDir = %q, want %q", got, tc.dir)
			}
			if got := Transport(tc.url); got != tc.tr {
				t.Errorf("Transport = %q, want %q", got, tc.tr)
			}
		})
	}
}
