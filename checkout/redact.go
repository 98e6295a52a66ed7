package checkout

import (
	"net/url"
	"regexp"
	"strings"
)

// Redacting credentials
//
// A newcomer often pastes a URL with a token in it
// ("https://user:ghp_xxx@github.com/org/project.git", or a token used as the
// user name: "https://ghp_xxx@github.com/..."). The checkout keeps the URL as
// given in .git/config, because the user needs it to push, but no message
// that sprintkit prints or writes carries it:
//
//   - for http and https, the whole user-info part becomes "***"
//     ("https://***@github.com/org/project.git"), because the user name may
//     itself be the token;
//   - for ssh:// URLs, the user name stays and a password becomes "***";
//     scp-like addresses ("git@host:org/project.git") hold no secret and are
//     shown as they are.

// Redact returns rawURL with its credentials replaced by "***".
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil || u.Scheme == "" || !strings.Contains(rawURL, "://") {
		return redactFallback(rawURL)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		rest := rawURL[strings.Index(rawURL, "://")+3:]
		auth := rest
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			auth = rest[:i]
		}
		at := strings.LastIndex(auth, "@")
		return rawURL[:len(rawURL)-len(rest)] + "***" + rest[at:]
	default:
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "***")
			return strings.Replace(u.String(), "%2A%2A%2A", "***", 1)
		}
		return rawURL
	}
}

// userinfoRE matches the user-info of a URL inside free text.
var userinfoRE = regexp.MustCompile(`(?i)\b(https?)://[^/@\s"']+@`)

// passwordRE matches a password in the user-info of any other URL in text.
var passwordRE = regexp.MustCompile(`\b([a-z][a-z0-9+.-]*://[^/:@\s"']*):[^/@\s"']+@`)

func redactFallback(s string) string {
	s = userinfoRE.ReplaceAllString(s, "$1://***@")
	return passwordRE.ReplaceAllString(s, "$1:***@")
}

// RedactText removes credentials from any text that may quote rawURL, such
// as an error message from a transport: every URL's user-info, and the raw
// user name and password of rawURL wherever they appear.
func RedactText(text, rawURL string) string {
	if rawURL != "" {
		text = strings.ReplaceAll(text, rawURL, Redact(rawURL))
		if u, err := url.Parse(rawURL); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok && len(p) >= 4 {
				text = strings.ReplaceAll(text, p, "***")
			}
			if s := strings.ToLower(u.Scheme); (s == "http" || s == "https") && len(u.User.Username()) >= 8 {
				text = strings.ReplaceAll(text, u.User.Username(), "***")
			}
		}
	}
	return redactFallback(text)
}
