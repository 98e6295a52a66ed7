#!/usr/bin/env bash
# bench/html.sh: the static HTML report against `go tool cover -html`, on the
# coverage engine's benchmark profile (bench/genprofile: 1,000,000 blocks over
# 5,000 files, sources present so both tools can show the source).
#
#   (a) writing: `sprintkit coverage --profile big.out --html --out site`
#       (parse, packages and functions via go list and go/ast, rank, table on
#       stdout, the whole site) vs `go tool cover -html=big.out -o x.html`
#       (parse, go list, one page), interleaved A B A B ..., PAIRS pairs
#       (default 5), the output removed before every run. Also the site stage
#       alone (report.HTML, timed inside bench/htmlsite) against the same
#       go tool cover runs, interleaved the same way.
#   (b) loading: index.html, the largest file page, the largest package page
#       and go tool cover's single page in headless Chromium, from file://, navigation start to the end
#       of the load event, ROUNDS rounds (default 3) interleaved, fresh tab
#       each time (bench/htmlload).
#
# Data lives on tmpfs (/dev/shm when present, or BENCH_DIR): that is the
# tools' own cost; set BENCH_DIR to a disk directory for what a user sees on
# disk (this machine's disk takes milliseconds per file created, so a site of
# 5,000 pages pays for it there). Caches are warm. Peak RSS from
# /usr/bin/time -v, one run each.
#
# The goal of (a) is a median ratio of at most 1 for the whole command; the
# script says whether it is met.
#
#   bench/html.sh            # (a) and (b)
#   bench/html.sh a          # only (a)
#   PAIRS=7 ROUNDS=5 BENCH_DIR=/tmp bench/html.sh
set -euo pipefail

cd "$(dirname "$0")/.."
WHAT=${1:-ab}
PAIRS=${PAIRS:-5}
ROUNDS=${ROUNDS:-3}
BASE=${BENCH_DIR:-/dev/shm}
[ -d "$BASE" ] || BASE=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$BASE/sprintkit-bench-html.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local NO_COLOR=1

go build -o "$WORK/sprintkit" ./cmd/sprintkit
go build -o "$WORK/genprofile" ./bench/genprofile
go build -o "$WORK/htmlsite" ./bench/htmlsite
go build -o "$WORK/htmlload" ./bench/htmlload

BIG="$WORK/big"
"$WORK/genprofile" -dir "$BIG" >/dev/null
blocks=$(($(wc -l <"$BIG/big.out") - 1))
files=$(find "$BIG" -name '*.go' | wc -l)
echo "profile: $blocks blocks, $files files, $(du -m "$BIG/big.out" | cut -f1) MB, in $BASE"

now() { date +%s.%N; }

summary() { # NAME, ratios on stdin
	sort -g | awk -v name="$1" '
		{ r[NR] = $1 }
		END {
			med = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
			printf "%s: median ratio %.3f (min %.3f, max %.3f, %d interleaved pairs)\n", name, med, r[1], r[NR], NR
		}'
}

rss() { # "command": peak RSS of one run (the largest process of it)
	/usr/bin/time -v -o "$WORK/rss.txt" bash -c "$1" >/dev/null 2>&1 || true
	awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); printf "%d MB", $2 / 1024 }' "$WORK/rss.txt"
}

SK_CMD="cd '$BIG' && '$WORK/sprintkit' coverage --profile big.out --html --out '$WORK/site'"
SITE_CMD="'$WORK/htmlsite' -profile '$BIG/big.out' -root '$BIG' -out '$WORK/site2'"
COVER_CMD="cd '$BIG' && go tool cover -html=big.out -o '$WORK/x.html'"
go tool cover -func="$BIG/big.out" >/dev/null 2>&1 || true # warm go list

echo "(a) writing the site vs go tool cover -html"
whole=() stage=()
for _ in $(seq "$PAIRS"); do
	rm -rf "$WORK/site" "$WORK/site2" "$WORK/x.html" "$BIG/.sprintkit"
	t0=$(now); bash -c "$SK_CMD" >/dev/null 2>&1; t1=$(now)
	tc0=$(now); bash -c "$COVER_CMD" >/dev/null 2>&1; tc1=$(now)
	stages=$(bash -c "$SITE_CMD" 2>&1 >/dev/null)
	site=$(echo "$stages" | sed -n 's/.* site \([0-9.]*\)s.*/\1/p')
	rm -f "$WORK/x.html"
	tc2=$(now); bash -c "$COVER_CMD" >/dev/null 2>&1; tc3=$(now)
	ta=$(echo "$t1 - $t0" | bc -l); tb=$(echo "$tc1 - $tc0" | bc -l); tb2=$(echo "$tc3 - $tc2" | bc -l)
	whole+=("$(echo "$ta / $tb" | bc -l)")
	stage+=("$(echo "$site / $tb2" | bc -l)")
	printf '  pair: sprintkit coverage --html %6.2fs  go tool cover %6.2fs | report.HTML alone %6.2fs  go tool cover %6.2fs\n' "$ta" "$tb" "$site" "$tb2"
done
printf '%s\n' "${whole[@]}" | summary "(a) sprintkit coverage --profile --html / go tool cover -html"
printf '%s\n' "${whole[@]}" | sort -g | awk '{ r[NR] = $1 } END {
	med = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
	printf "(a) goal: the whole command at most 1x go tool cover -html: %s (median %.3f)\n", (med <= 1 ? "met" : "not met"), med }'
printf '%s\n' "${stage[@]}" | summary "(a) report.HTML (site only) / go tool cover -html"
echo "    stages of the last bench/htmlsite run: ${stages#htmlsite: }"
echo "    site: $(find "$WORK/site" -type f | wc -l) files, $(du -sm "$WORK/site" | cut -f1) MB; go tool cover: 1 file, $(du -m "$WORK/x.html" | cut -f1) MB"
echo "    peak RSS: sprintkit $(rm -rf "$WORK/site"; rss "$SK_CMD"), go tool cover -html $(rss "$COVER_CMD")"

[[ $WHAT == *b* ]] || exit 0
echo "(b) load time in headless Chromium (file://, navigation start to load event end)"
largest() { find "$1" -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2; }
"$WORK/htmlload" -rounds "$ROUNDS" "$WORK/site/index.html" "$(largest "$WORK/site/src")" "$(largest "$WORK/site/pkg")" "$WORK/x.html"
