// Package image stages an offline "dev-in-a-box" image of a project and sets
// a newcomer up from it with no network: `sprintkit image` and
// `sprintkit setup --from-image`.
//
// # Layout
//
// An image is a directory (a USB stick, a shared folder, a CD) holding:
//
//	repo/                  the checkout with its history (.git); its remotes
//	                       point at the real upstream and carry no credentials
//	gomod/cache/download/  a Go module proxy tree: the cache/download part of a
//	                       private module cache that `go mod download all` and
//	                       `go list -deps -test ./...` filled, so that
//	                       GOPROXY=file://<image>/gomod/cache/download resolves
//	                       every module the project builds and tests with
//	gocache/               the Go build cache of the report's test run (see
//	                       "Build cache" below); absent with --no-build-cache
//	report/                the pre-generated HTML coverage report (index.html)
//	baseline.json          the test outcomes and coverage at staging time
//	bin/sprintkit[.exe]    sprintkit for the organiser's platform
//	bin/<goos>-<goarch>/   cross-built sprintkit for each --platforms entry
//	START_HERE.html        what this is, the one command to run, what to do when it fails
//	README.txt             the same as plain text
//	manifest.json          every other entry: files with mode, size and
//	                       SHA-256, directories, symlinks with their targets;
//	                       the project's commit, sprintkit's version, the Go
//	                       version the project requires and the creation time;
//	                       build_cache: the Go version, GOOS/GOARCH and flags
//	                       gocache/ was built with, and its entry count
//
// manifest.json is written last, atomically; staging removes the previous one
// first, so an image whose staging did not finish has none and is refused.
// setup --from-image compares the whole tree with it, both ways, before it
// writes anything: a changed, missing or extra entry, or a symlink leading
// out of repo/, is refused by path.
// Every other file is written to a temporary name and renamed, and re-staging
// an unchanged image copies nothing: the repository and the module tree go
// through the copier, which compares size and modification time.
//
// # Staging
//
// Stage works from a checkout with its own .git directory (a URL is cloned
// first by the CLI). The repository is copied without the organiser's
// .git/config (rewritten: remotes and branches only, URLs without
// credentials; user, credential and http settings dropped), reflogs,
// FETCH_HEAD and hooks. Modules are downloaded into a private module cache
// (one per image under the user cache directory, kept for re-staging),
// with the organiser's own module cache tried first as a file:// proxy, and
// with go working on copies of go.mod and go.sum (-modfile), so the
// checkout is never written. The report's test run happens in a scratch
// copy of the checkout that holds the completed go.mod and go.sum, with
// the image's module tree as the only proxy.
//
// Re-staging skips what did not change: modules when go.mod and go.sum are
// the same, the test run when the commit is the same and the work tree
// clean, cross-builds when the staging binary is the same; the copier
// skips files of equal size and modification time, and the manifest
// reuses the hashes of files whose size and modification time it already
// recorded.
//
// # Offline module resolution
//
// The newcomer's go command is pointed at the staged modules with:
//
//	GOMODCACHE  a module cache of the checkout's own, new for each setup
//	            (<user cache dir>/sprintkit/checkout-gomod/<name>-<random>),
//	            to whose cache/download the modules the project needs are
//	            added (see "Module cache" below)
//	GOPROXY     file://<GOMODCACHE>/cache/download, then whatever GOPROXY the
//	            user had (a module missing from the image falls through)
//	GOFLAGS     -mod=mod -modcacherw: go may complete go.sum, and extracted
//	            module files stay writable, so the cache can be removed
//	GONOSUMDB   the module paths staged in the image: no checksum-database
//	            lookup is attempted for them even if go.sum lacks a line,
//	            while modules added later are still checked
//	GOTOOLCHAIN local: a toolchain line newer than the local go never
//	            triggers a download; a too-old go is reported up front
//	GOCACHE     the checkout's own build cache, .sprintkit/gocache, when the
//	            image's build cache seeded it (see "Build cache")
//
// These are written to .sprintkit/env in the checkout (POSIX sh, for
// `. .sprintkit/env`) and printed as export lines. setup (run again in
// place), coverage and watch-test of the checkout read that file
// themselves (CheckoutEnviron), so they use the checkout's caches whether
// or not the shell read it.
//
// # Module cache
//
// An image is untrusted input: whoever can edit its files can rewrite its
// manifest to match, so Verify proves only that the image agrees with
// itself. Before anything is written, PlanModCache therefore checks the
// modules against hashes the go command itself relies on:
//
//   - Only what the project needs: the module versions its go.mod (and
//     go.work) files require, walked through the image's .mod files (every
//     version mentioned, a superset of the build list), with the project's
//     replacements applied. Anything else in the module tree is left out
//     and counted (SetupResult.ModulesLeftOut).
//   - Each such zip's h1: hash, computed with golang.org/x/mod's
//     dirhash.HashZip, must equal its .ziphash (which the go command
//     trusts without hashing the zip again) and the project's go.sum line;
//     each .mod must hash to its go.sum /go.mod line. A mismatch refuses
//     the image with a *ModuleError naming module@version. A version
//     go.sum has no line for (an untidy go.sum) is accepted when its zip
//     matches its .ziphash: the go command in the checkout adds the line.
//
// The modules then go to a module cache of the checkout's own, not to the
// user's GOMODCACHE, although each zip now matches the project's go.sum.
// That go.sum came in the same image, so an attacker edits it too: the
// check proves the modules consistent, not genuine (only the checksum
// database could, and setup has no network). In the user's cache such a
// zip would reach every project on the machine: one with a correct
// go.sum line for that version fails with a checksum mismatch until the
// user cleans the cache, and one without the line whose module the
// checksum database does not cover (GOPRIVATE, GONOSUMDB, GOSUMDB=off,
// GOFLAGS=-insecure, all common for private modules) builds the planted
// code. In a cache of the checkout's own it reaches only the checkout that
// came with it, whose code the same image supplies anyway. The cost: the
// modules are on disk once more per checkout, and a shell that did not
// read .sprintkit/env finds them only through the network.
//
// That cache is not inside the checkout (as .sprintkit/gocache is), for
// `go test -coverpkg=./...`, which the baseline and coverage run, matches
// packages by directory: the modules under the checkout would be
// instrumented and counted as the project's own, and the image's build
// cache entries for them would miss. It is new for each setup, so nothing
// a removed checkout left at the same path is reused; setup prints where
// it is, and removing it (rm -rf: -modcacherw keeps it writable) after
// the checkout frees the space.
//
// # Build cache
//
// On a mid-size module the newcomer's first `go test` is mostly compiling:
// the standard library, the dependencies and every package twice (plain
// and instrumented for coverage). The image ships what the organiser's
// report run compiled, so that it is mostly cache hits:
//
//   - Staging runs the report's tests with GOCACHE set to a fresh
//     temporary directory and copies its entries (not the go command's
//     README, trim.txt, testexpire.txt or fuzz corpus) to gocache/, which
//     the manifest lists file by file with SHA-256 like every other file:
//     a changed, missing or extra entry is refused before anything is
//     written. manifest.json's build_cache records `go env GOVERSION GOOS
//     GOARCH` of that run and the flags it was built with.
//   - Paths. The go command's compile action IDs include the package's
//     directory (cmd/go/internal/work buildActionID, "dir %s") unless
//     -trimpath is set, and a module dependency's directory is in the
//     module cache, which is another path on the newcomer's machine; so
//     neither the checkout's packages nor the dependencies would ever hit.
//     Both baseline runs, the organiser's and the newcomer's, therefore
//     pass -trimpath (BuildCacheFlags): with it the ID names the module
//     and version instead, and the entries hit wherever the checkout and
//     the module cache live. The cost: the two baselines see file names
//     as module paths (stack traces, runtime.Caller), and a later plain
//     `go test` without -trimpath compiles again (the standard library
//     too: "trimpath" is part of every ID). `sprintkit image
//     --no-build-cache` ships none and keeps the baselines as they were.
//   - No test results. The staging run passes -count=1, so the go command
//     neither reads nor writes cached test results: gocache/ holds build
//     outputs only. The newcomer's baseline passes -count=1 too, so every
//     test runs on the newcomer's machine and the failures recorded are
//     that machine's, whatever its GOCACHE already held.
//   - Seeding. setup --from-image asks the local go for GOVERSION, GOOS
//     and GOARCH; when they match build_cache, the entries seed the
//     checkout's own GOCACHE, .sprintkit/gocache (through a temporary file
//     linked into place, its hash checked again, with the current time as
//     their modification time, which the go command's trimming reads as
//     their last use), and .sprintkit/env names it. Never the user's
//     GOCACHE: a -d entry is named by its content's hash, but an -a entry
//     maps an action ID (a hash of the inputs, which anyone with the same
//     Go release can compute) to any output, and the go command checks
//     only the output's size. An image with a planted -a/-d pair for a
//     standard-library package would otherwise change what every other
//     project on the machine compiles, and go on doing so after the
//     checkout is gone. In the checkout's own cache such an entry reaches
//     only the project the image brought, and goes with it. Setup prints
//     "build cache  N entries from the image … this checkout's own
//     GOCACHE" and its JSON says build_cache.used; otherwise it says "not
//     used" and why (another Go version or platform, no build cache in the
//     image, setup --no-build-cache), the checkout uses the user's GOCACHE,
//     which only the user's go fills, and the baseline runs without
//     -trimpath.
//   - Other settings that enter action IDs (CGO_ENABLED and a C compiler,
//     GOAMD64, GOEXPERIMENT, -tags from the project file) are not compared:
//     when they differ the packages they touch miss and are compiled, as
//     they would be without the image.
package image
