package checkout

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"syscall"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// ErrorKind classifies what went wrong, for callers that act on it.
type ErrorKind int

const (
	ErrOther          ErrorKind = iota
	ErrUsage                    // no URL given
	ErrDestination              // destination exists and is not empty, or cannot be created
	ErrNotFound                 // the repository does not exist (or is hidden from you)
	ErrUnreachable              // the host cannot be reached
	ErrAuth                     // authentication required or refused
	ErrBranchNotFound           // --branch names no branch of the remote
	ErrEmpty                    // the remote has no commits
	ErrCorrupt                  // an object or tree entry is missing
	ErrNotRepository            // Open: not a git checkout
	ErrNoGit                    // the transport needs the git program, which is missing
	ErrInterrupted              // ctx was cancelled
)

// Error is what Clone and Open return: Msg says what happened and Hint what
// to do, both free of credentials. Err is the underlying error, for
// errors.Is; do not print it, it may quote the URL as given.
type Error struct {
	Kind ErrorKind
	Msg  string
	Hint string
	Err  error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

func interrupted(err error) error {
	return &Error{Kind: ErrInterrupted, Msg: "clone interrupted; the partial checkout was removed", Err: err}
}

// explain turns go-git's bare errors into what happened and what to do.
func explain(err error, opts Options) error {
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	src := Redact(opts.URL)
	tr := Transport(opts.URL)
	raw := RedactText(err.Error(), opts.URL)
	e := &Error{Kind: ErrOther, Err: err}
	var nme git.NoMatchingRefSpecError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var urlErr *url.Error
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return interrupted(err)

	case errors.Is(err, transport.ErrAuthenticationRequired):
		e.Kind = ErrAuth
		e.Msg = fmt.Sprintf("%s needs you to log in (authentication required)", src)
		e.Hint = authHint(tr)
	case errors.Is(err, transport.ErrAuthorizationFailed):
		e.Kind = ErrAuth
		e.Msg = fmt.Sprintf("%s refused the credentials given (authorization failed)", src)
		e.Hint = "check that the token is valid and may read this repository; " + authHint(tr)
	case tr == "ssh" && (strings.Contains(raw, "unable to authenticate") || strings.Contains(raw, "no supported methods remain")):
		e.Kind = ErrAuth
		e.Msg = fmt.Sprintf("%s did not accept your SSH key", src)
		e.Hint = "add your public key to your account on the host, or load the right key with 'ssh-add' or --ssh-key; or clone the https URL instead"
	case tr == "ssh" && (strings.Contains(raw, "knownhosts") || strings.Contains(raw, "key is unknown") || strings.Contains(raw, "key mismatch")):
		e.Kind = ErrAuth
		e.Msg = fmt.Sprintf("the SSH host key of %s is not in your known_hosts (%s)", src, lastPart(raw))
		e.Hint = "connect once with 'ssh -T' to check and accept the host key, or clone the https URL instead"

	case errors.Is(err, transport.ErrRepositoryNotFound), errors.Is(err, git.ErrRepositoryNotExists),
		tr == "file" && (strings.Contains(raw, "does not appear to be a git repository") || strings.Contains(raw, "not a git repository")):
		e.Kind = ErrNotFound
		e.Msg = fmt.Sprintf("repository %s not found", src)
		e.Hint = "check the URL for typos; a private repository also looks \"not found\" until you log in: " + authHint(tr)
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		e.Kind = ErrEmpty
		e.Msg = fmt.Sprintf("repository %s is empty: it has no commits yet", src)
		e.Hint = "ask the sprint organisers for the right repository or branch"

	case errors.As(err, &nme), errors.Is(err, plumbing.ErrReferenceNotFound) && opts.Branch != "":
		e.Kind = ErrBranchNotFound
		e.Msg = fmt.Sprintf("branch %q not found in %s", opts.Branch, src)
		e.Hint = "list the branches with 'git ls-remote --heads URL', or leave out --branch for the default branch"

	case errors.As(err, &dnsErr):
		e.Kind = ErrUnreachable
		e.Msg = fmt.Sprintf("cannot reach %s: the host name %q does not resolve", src, dnsErr.Name)
		e.Hint = "check the host name and your network connection (are you on the sprint Wi-Fi?)"
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.As(err, &opErr), isTimeout(err), errors.As(err, &urlErr) && strings.Contains(raw, "dial"):
		e.Kind = ErrUnreachable
		e.Msg = fmt.Sprintf("cannot reach %s (%s)", src, lastPart(raw))
		e.Hint = "check the address and your network connection; behind a proxy, set HTTPS_PROXY"

	case errors.Is(err, errUnsafePath) || strings.Contains(raw, "invalid path"):
		e.Kind = ErrCorrupt
		e.Msg = fmt.Sprintf("%s holds a file path that would write outside the checkout or into .git (%s); nothing was checked out", src, lastPart(raw))
		e.Hint = "do not work around this: tell the project's maintainers or the sprint organisers"
	case strings.Contains(raw, "corruption on the remote side") || strings.Contains(raw, "remote error") || strings.Contains(raw, "unable to read"):
		e.Kind = ErrCorrupt
		e.Msg = fmt.Sprintf("%s could not send the repository: the server reports a problem on its side (%s)", src, lastPart(raw))
		e.Hint = "nothing is wrong on your machine: tell the project's maintainers or the sprint organisers, and try again later or from another mirror"
	case errors.Is(err, object.ErrEntryNotFound):
		e.Kind = ErrCorrupt
		e.Msg = fmt.Sprintf("a path the repository refers to is missing from its tree (go-git: %q), often a stale .gitmodules entry for a submodule that was removed", raw)
		e.Hint = "clone without submodules (the default), or with the git program: git clone " + src
	case errors.Is(err, plumbing.ErrObjectNotFound):
		e.Kind = ErrCorrupt
		e.Msg = fmt.Sprintf("the server sent a history with an object missing (go-git: %q)", raw)
		e.Hint = "retry with the whole history (--depth 0); if it persists, clone with 'git clone' and run 'sprintkit setup DIR' on the result"

	case isExecNotFound(err):
		e.Kind = ErrNoGit
		e.Msg = fmt.Sprintf("cloning %s needs the git program, which is not installed", src)
		e.Hint = "install git (https://git-scm.com/downloads), or clone over https"

	default:
		e.Msg = fmt.Sprintf("clone %s: %s", src, raw)
	}
	return e
}

func authHint(tr string) string {
	switch tr {
	case "ssh":
		return "check that your SSH key is loaded (ssh-add -l) and added to your account, or clone the https URL with a token"
	case "http", "https":
		return "use the ssh URL (git@host:org/project.git) with your SSH key, or put a personal access token in the URL: https://USER:TOKEN@host/org/project.git (sprintkit never prints it)"
	}
	return "check that you may read this repository"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isExecNotFound(err error) bool {
	return errors.Is(err, exec.ErrNotFound)
}

// lastPart returns the innermost part of a wrapped error message, which is
// usually the useful one ("connect: connection refused").
func lastPart(s string) string {
	if i := strings.LastIndex(s, ": "); i >= 0 && i+2 < len(s) {
		if j := strings.LastIndex(s[:i], ": "); j >= 0 {
			return s[j+2:]
		}
	}
	return s
}
