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
//	GOMODCACHE  the user's own module cache (go env GOMODCACHE), to whose
//	            cache/download the image's proxy tree is added — only what
//	            is missing: nothing there is deleted or replaced, and an
//	            entry with other content stops setup — so that plain
//	            `go test` works even in a shell that never read the env file
//	GOPROXY     file://<GOMODCACHE>/cache/download, then whatever GOPROXY the
//	            user had (a module missing from the image falls through)
//	GOFLAGS     -mod=mod -modcacherw: go may complete go.sum, and extracted
//	            module files stay writable, so the cache can be removed
//	GONOSUMDB   the module paths staged in the image: no checksum-database
//	            lookup is attempted for them even if go.sum lacks a line,
//	            while modules added later are still checked
//	GOTOOLCHAIN local: a toolchain line newer than the local go never
//	            triggers a download; a too-old go is reported up front
//
// These are written to .sprintkit/env in the checkout (POSIX sh, for
// `. .sprintkit/env`) and printed as export lines.
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
//   - Seeding. setup --from-image asks the local go for GOVERSION, GOOS,
//     GOARCH and GOCACHE; when the first three match build_cache and
//     GOCACHE is on and writable, it adds the entries GOCACHE lacks
//     (through a temporary file linked into place, its hash checked again;
//     an existing entry is kept whatever it holds, since the cache is
//     content-addressed, and nothing is deleted), with the current time as
//     their modification time, which the go command's trimming reads as
//     their last use. Setup prints "build cache  N entries from the image"
//     and its JSON says build_cache.used; otherwise it says "not used" and
//     why (another Go version or platform, GOCACHE off or not writable, no
//     build cache in the image, setup --no-build-cache), and the baseline
//     runs without -trimpath.
//   - Other settings that enter action IDs (CGO_ENABLED and a C compiler,
//     GOAMD64, GOEXPERIMENT, -tags from the project file) are not compared:
//     when they differ the packages they touch miss and are compiled, as
//     they would be without the image.
package image
