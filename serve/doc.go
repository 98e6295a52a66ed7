// Package serve serves a sprintkit image to a sprint room from one
// organiser's laptop (`sprintkit serve IMAGE`) and keeps the room's board of
// who took which sprint target. Its client side, what `sprintkit setup
// URL` and `sprintkit claim` use, is package room, with the documents
// both sides speak (sprint.json, the board, a claim).
//
// # What is served
//
// The image is verified whole against its manifest before anything is
// served (image.ReadManifest, image.Verify), then served read-only:
//
//	/                  the landing page: how to join in one command, the
//	                   targets of coverage.json with who claimed them, since
//	                   when, what a done claim added (claim --done: its
//	                   credit), and claim/release buttons (board.js, no
//	                   CDN); it names the platform of each binary offered
//	/style.css         the report's stylesheet (report/templates, both
//	                   themes), which the landing page wears
//	/sprint.json       this sprint, for programs (format below)
//	/repo.git          the repository over git's smart HTTP protocol, fetch
//	                   only (git http-backend through net/http/cgi; a push,
//	                   git-receive-pack, is refused with 403)
//	/mod/              a GOPROXY from gomod/cache/download (format below)
//	/report/           the pre-generated HTML report
//	/baseline.json     the organiser's test outcomes
//	/coverage.json     the ranked targets
//	/bin/              the sprintkit binaries of the image
//	/claims            GET: the board as JSON; POST: claim a target (with
//	                   "done" and "credit" when the work is done)
//	/claims/{target}   DELETE: release a claim
//
// Every file is opened through an os.Root on its directory of the image, so
// no request path leaves it: "..", a backslash, an encoded slash (%2F) or a
// NUL is refused with 404 before any file is opened, and a symlink that
// leads out of the directory is refused by os.Root itself.
//
// # The module proxy
//
// GOPROXY=URL/mod speaks the module proxy protocol (go help goproxy) from
// the image's module tree, which is the cache/download part of a module
// cache and so already has the protocol's file layout:
//
//	$module/@v/list            the versions, one a line (the file, or the
//	                           versions with a .info file when there is none)
//	$module/@v/$version.info   {"Version": …, "Time": …}
//	$module/@v/$version.mod    the go.mod file
//	$module/@v/$version.zip    the module zip
//	$module/@latest            the .info of the highest release in list
//	                           (of the highest pre-release when there is no
//	                           release)
//
// $module and $version are in the proxy's case-encoded form
// (golang.org/x/mod/module.EscapePath: "!" before a lower-cased capital);
// anything that does not decode, or that the tree does not hold, is 404,
// which the go command reads as "not found here" and, with a list such as
// GOPROXY=URL/mod,https://proxy.golang.org, passes on to the next proxy.
// The checksum database is not proxied: the page says to set GONOSUMDB to
// the image's module paths, as `setup --from-image` does (the go.sum of the
// repository already holds their hashes).
//
// # sprint.json
//
//	{
//	  "type": "sprint", "version": 1,
//	  "project": "example.com/hello", "commit": "3f2a…", "go": "1.22",
//	  "upstream": "https://host/org/hello.git",
//	  "modules": ["example.com/greet"],          // module paths, for GONOSUMDB
//	  "urls": {"home": "http://10.0.0.5:8765/", "repo": "…/repo.git",
//	           "goproxy": "…/mod", "report": "…/report/",
//	           "baseline": "…/baseline.json", "coverage": "…/coverage.json",
//	           "claims": "…/claims"},
//	  "claims_need_token": false
//	}
//
// The URLs are built from the host the client asked for (its Host header,
// when it is a plain host[:port]), so each sprinter gets addresses that
// reach the server from where they are.
//
// # Claims
//
// Claims live in a bbolt database (go.etcd.io/bbolt) beside the image,
// IMAGE.claims.db by default, never inside it (the image must match its
// manifest: a --db inside the image is refused before anything is opened). bbolt was chosen over SQLite through a pure-Go driver because
// the board is a handful of keys and needs no query language: bbolt is one
// file, pure Go (so cross-builds stay CGO-free), every write is a
// transaction that is fsynced before Update returns, and its copy-on-write
// B+tree with a double meta page means a crash (kill -9, power loss) leaves
// either the previous or the new state, never a torn file. A claim is
// acknowledged (201) only after its transaction is on disk. The file is
// locked: a second server on the same database waits a moment, then fails.
//
// A claim is {"target", "name", "note", "since"}; a target has at most one.
// Names are at most 64 characters, notes 280, targets 512 bytes; control
// characters and bidirectional controls are refused everywhere, and a name
// is printable characters only (no zero-width or other format character)
// with at least one that shows. The page renders them through html/template and
// the JSON through encoding/json, which escapes <, > and &.
// With --token, POST and DELETE need "Authorization: Bearer TOKEN". A claim
// must be sent as application/json, which a browser sends to another site
// only after a CORS preflight this server never grants, so a page elsewhere
// cannot claim in a sprinter's name.
//
// # Bounds
//
// The http.Server has a ReadHeaderTimeout, a ReadTimeout and a WriteTimeout
// (long enough for a module zip or a clone over a slow room network, short
// enough that a stalled client lets go), an IdleTimeout and MaxHeaderBytes;
// the listener accepts at most MaxConns connections at once
// (golang.org/x/net/netutil.LimitListener), at most MaxGit git processes run
// at once, and request bodies are limited (64 KiB for claims, with their credit, 32 MiB for a
// fetch negotiation). No client (one remote IP) holds more than its share:
// at most MaxClientConns of its connections are served at once (as many
// more wait, accepted, for one of its own to close; beyond that they are
// closed at once), at most MaxClientGit of its git requests run at once
// (the rest wait for its own share, not everyone's), and every request
// body must arrive at 4 KiB/s after a 5 s grace, so a body trickled a byte
// at a time is cut off within seconds. Cancelling the context passed to Serve (Ctrl-C or
// SIGTERM in the CLI) stops accepting, lets running requests finish for a
// few seconds, then closes what is left.
package serve
