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
//	report/                the pre-generated HTML coverage report (index.html)
//	baseline.json          the test outcomes and coverage at staging time
//	bin/sprintkit[.exe]    sprintkit for the organiser's platform
//	bin/<goos>-<goarch>/   cross-built sprintkit for each --platforms entry
//	START_HERE.html        what this is, the one command to run, what to do when it fails
//	README.txt             the same as plain text
//	manifest.json          every other entry: files with mode, size and
//	                       SHA-256, directories, symlinks with their targets;
//	                       the project's commit, sprintkit's version, the Go
//	                       version the project requires and the creation time
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
package image
