#!/usr/bin/env bash
# bench/htmlpage.sh: what one source page of the HTML report weighs and how
# long it takes to load, for syntax highlighting and the page script.
#
#   real:  sprintkit's own coverage package (a profile from `go test
#          -coverprofile -run '^$'`: real Go, every block at count 0, so
#          every line is marked); its largest page is coverage/gorun.go's.
#   large: bench/genprofile's synthetic module, FILES files of FUNCS
#          functions (the defaults make ~3,000-line files).
#
# For each it prints the site stage's time (report.HTML, from
# bench/htmlsite, median of SITES runs), the largest source page's size, and
# its load time in headless Chromium from file:// (bench/htmlload:
# navigation start to the end of the load event, ROUNDS fresh tabs).
#
#   bench/htmlpage.sh
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

go test -count=1 -coverprofile="$WORK/real.out" -run '^$' ./coverage >/dev/null
"$WORK/genprofile" -dir "$WORK/large" -files "$FILES" -packages 2 -funcs "$FUNCS" >/dev/null

site() { # NAME PROFILE ROOT: the median site time, then the largest page
	local times=()
	for _ in $(seq "$SITES"); do
		rm -rf "$WORK/site-$1"
		times+=("$("$WORK/htmlsite" -profile "$2" -root "$3" -out "$WORK/site-$1" 2>&1 >/dev/null | sed -n 's/.* site \([0-9.]*\)s.*/\1/p')")
	done
	local med
	med=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ r[NR] = $1 } END { print r[int((NR + 1) / 2)] }')
	local page
	page=$(find "$WORK/site-$1/src" -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2)
	local lines
	lines=$(grep -c '<span id="L' "$page")
	printf '%s: site %.2fs (median of %d), largest page %s: %d lines, %d KB\n' "$1" "$med" "$SITES" "$(basename "$page")" "$lines" $(($(stat -c %s "$page") / 1024)) >&2
	echo "$page"
}

real=$(site real "$WORK/real.out" "$PWD")
large=$(site large "$WORK/large/big.out" "$WORK/large")
"$WORK/htmlload" -rounds "$ROUNDS" "$real" "$large"
