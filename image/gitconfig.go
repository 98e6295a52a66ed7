package image

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	format "github.com/go-git/go-git/v5/plumbing/format/config"
)

// StripCredentials removes credentials from a remote URL: the whole
// user-info of http and https URLs (the user name may itself be a token),
// the password of other URLs. scp-like addresses ("git@host:org/p.git") and
// local paths carry none and are returned as they are.
func StripCredentials(raw string) string {
	if !strings.Contains(raw, "://") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		u.User = nil
	default:
		if _, has := u.User.Password(); !has {
			return raw
		}
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// Options of .git/config that an image keeps; everything else (user.*,
// credential.*, http.*.extraHeader, core.sshCommand, core.worktree,
// include paths, hooks) belongs to the organiser's machine and is dropped.
var (
	keepCore   = []string{"repositoryformatversion", "filemode", "bare", "logallrefupdates", "ignorecase", "precomposeunicode", "symlinks"}
	keepRemote = []string{"url", "pushurl", "fetch", "tagopt", "promisor", "partialclonefilter"}
	keepBranch = []string{"remote", "merge", "rebase"}
)

// SanitizeGitConfig returns the .git/config an image carries: core,
// extensions, remotes and branches of in, every remote URL stripped of
// credentials. When upstream is not empty it becomes origin's URL (for an
// image made from a clone). It also returns origin's URL as written.
func SanitizeGitConfig(in []byte, upstream string) ([]byte, string, error) {
	src := format.New()
	if err := format.NewDecoder(bytes.NewReader(in)).Decode(src); err != nil {
		return nil, "", fmt.Errorf("parse .git/config: %w", err)
	}
	out := format.New()
	for _, s := range src.Sections {
		switch {
		case s.IsName("core"):
			for _, o := range s.Options {
				if keep(keepCore, o.Key) {
					out.Section("core").AddOption(o.Key, o.Value)
				}
			}
		case s.IsName("extensions"):
			for _, o := range s.Options {
				out.Section("extensions").AddOption(o.Key, o.Value)
			}
		case s.IsName("remote"):
			for _, ss := range s.Subsections {
				dst := out.Section("remote").Subsection(ss.Name)
				for _, o := range ss.Options {
					if !keep(keepRemote, o.Key) {
						continue
					}
					v := o.Value
					if o.IsKey("url") || o.IsKey("pushurl") {
						v = StripCredentials(v)
					}
					dst.AddOption(o.Key, v)
				}
			}
		case s.IsName("branch"):
			for _, ss := range s.Subsections {
				dst := out.Section("branch").Subsection(ss.Name)
				for _, o := range ss.Options {
					if keep(keepBranch, o.Key) {
						dst.AddOption(o.Key, o.Value)
					}
				}
			}
		}
	}
	core := out.Section("core")
	if !core.HasOption("repositoryformatversion") {
		core.SetOption("repositoryformatversion", "0")
	}
	core.SetOption("bare", "false")
	if upstream != "" {
		origin := out.Section("remote").Subsection("origin")
		origin.SetOption("url", StripCredentials(upstream))
		if !origin.HasOption("fetch") {
			origin.SetOption("fetch", "+refs/heads/*:refs/remotes/origin/*")
		}
	}
	origin := ""
	if r := out.Section("remote"); r.HasSubsection("origin") {
		origin = r.Subsection("origin").Option("url")
	}
	var b bytes.Buffer
	if err := format.NewEncoder(&b).Encode(out); err != nil {
		return nil, "", fmt.Errorf("write .git/config: %w", err)
	}
	return b.Bytes(), origin, nil
}

func keep(list []string, key string) bool {
	for _, k := range list {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}
