#!/usr/bin/env bash
# bench/htmlpage.sh: what one source page of the HTML report weighs and how
# long it takes to load, for syntax highlighting and the page script.
#
#   real:  sprintkit's own coverage packages (a profile from `go test
#          -coverprofile -run '^$'`: real Go, every block at count 0, so
#          every line is marked); its largest page is coverage/gotest/gorun.go's.
#   large: bench/genprofile's synthetic module, FILES files of FUNCS
#          functions (the defaults make ~3,000-line files).
#
# For each it prints the site stage's time (report.HTML, from
# bench/htmlsite, median of SITES runs), the largest source page's size, and
# its load time in headless Chromium from file:// (bench/htmlload:
# navigation start to the end of the load event, ROUNDS fresh tabs).
# With BEFORE=<git revision>, the same sites are also written by that
# revision's report package, and all the pages are loaded interleaved in
# one browser, so a before/after comparison shares the machine's load.
#
#   bench/htmlpage.sh
#   BEFORE=main ROUNDS=15 bench/htmlpage.sh
#   ROUNDS=9 FUNCS=300 bench/htmlpage.sh
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-7}
SITES=${SITES:-3}
FILES=${FILES:-20}
FUNCS=${FUNCS:-150}
BASE=${BENCH_DIR:-/dev/shm}
[ -d "$BASE" ] || BASE=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$BASE/sprintkit-bench-page.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export NO_COLOR=1

go build -o "$WORK/genprofile" ./bench/genprofile
go build -o "$WORK/htmlsite" ./bench/htmlsite
go build -o "$WORK/htmlload" ./bench/htmlload
if [ -n "${BEFORE:-}" ]; then
	mkdir "$WORK/before-src"
	git archive "$BEFORE" | tar -x -C "$WORK/before-src"
	(cd "$WORK/before-src" && go build -o "$WORK/htmlsite-before" ./bench/htmlsite)
fi

go test -count=1 -coverprofile="$WORK/real.out" -run '^$' ./coverage/... >/dev/null
"$WORK/genprofile" -dir "$WORK/large" -files "$FILES" -packages 2 -funcs "$FUNCS" >/dev/null

site() { # NAME PROFILE ROOT [HTMLSITE]: the median site time, then the largest page
	local bin=${4:-$WORK/htmlsite}
	local times=()
	for _ in $(seq "$SITES"); do
		rm -rf "$WORK/site-$1"
		times+=("$("$bin" -profile "$2" -root "$3" -out "$WORK/site-$1" 2>&1 >/dev/null | sed -n 's/.* site \([0-9.]*\)s.*/\1/p')")
	done
	local med
	med=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ r[NR] = $1 } END { print r[int((NR + 1) / 2)] }')
	local page
	page=$(find "$WORK/site-$1/src" -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2)
	local lines
	# rows of any markup (a BEFORE build may be older): <span id="L12">,
	# <li id=L12>, or the listing's bare <li> rows
	lines=$( (grep -oE '<span id="L' "$page" || true; grep -o '<ol class="source">.*</ol>' "$page" | grep -oE '<li[ >]' || true) | wc -l)
	printf '%s: site %.2fs (median of %d), largest page %s: %d lines, %d KB\n' "$1" "$med" "$SITES" "$(basename "$page")" "$lines" $(($(stat -c %s "$page") / 1024)) >&2
	# A name that says which site the page is of, for htmlload's lines.
	cp "$page" "$(dirname "$page")/$1.html"
	echo "$(dirname "$page")/$1.html"
}

pages=()
pages+=("$(site real "$WORK/real.out" "$PWD")")
pages+=("$(site large "$WORK/large/big.out" "$WORK/large")")
if [ -n "${BEFORE:-}" ]; then
	pages+=("$(site real-before "$WORK/real.out" "$PWD" "$WORK/htmlsite-before")")
	pages+=("$(site large-before "$WORK/large/big.out" "$WORK/large" "$WORK/htmlsite-before")")
fi
"$WORK/htmlload" -rounds "$ROUNDS" "${pages[@]}"
