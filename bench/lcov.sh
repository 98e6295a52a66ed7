#!/usr/bin/env bash
# bench/lcov.sh: importing a large LCOV file vs `lcov --summary` on it.
#
# Generates an LCOV tracefile of FILES source files (default 2,000) with
# LINES DA lines each (default 300: 600,000 DA lines), plus a FN/FNDA pair
# every 25 lines and a BRDA pair every 50, LF/LH per record, and creates the
# source files (empty) under a checkout directory so that every SF: resolves.
# Then it times, interleaved (A B A B ...), PAIRS pairs (default 7):
#
#   A: sprintkit coverage --dir ROOT --import big.info --format json
#   B: lcov --summary big.info           (Debian's lcov; installed if missing and root)
#
# and prints the median of the per-pair ratios A/B with min and max, the peak
# RSS of one run of each (/usr/bin/time -v), and checks that both report the
# same line totals. Data lives on tmpfs (/dev/shm when present), caches warm.
#
#   bench/lcov.sh
#   PAIRS=5 FILES=4000 LINES=250 bench/lcov.sh
set -euo pipefail

cd "$(dirname "$0")/.."
PAIRS=${PAIRS:-7}
FILES=${FILES:-2000}
LINES=${LINES:-300}
BASE=${BENCH_DIR:-/dev/shm}
[ -d "$BASE" ] || BASE=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$BASE/sprintkit-bench-lcov.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local NO_COLOR=1

if ! command -v lcov >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends lcov >/dev/null
	else
		echo "bench/lcov.sh: needs lcov (apt install lcov)" >&2
		exit 1
	fi
fi

go build -o "$WORK/sprintkit" ./cmd/sprintkit
SK="$WORK/sprintkit"
ROOT="$WORK/proj"
INFO="$WORK/big.info"

# The checkout: FILES empty source files in 50 directories.
awk -v files="$FILES" -v root="$ROOT" 'BEGIN {
	for (d = 0; d < 50; d++) system("mkdir -p " root "/src/dir" d)
	for (f = 0; f < files; f++) printf "%s/src/dir%d/file%d.c\n", root, f % 50, f
}' | xargs touch

# The tracefile: deterministic hit counts, about two thirds of lines covered.
awk -v files="$FILES" -v lines="$LINES" 'BEGIN {
	for (f = 0; f < files; f++) {
		printf "TN:\nSF:src/dir%d/file%d.c\n", f % 50, f
		for (l = 1; l <= lines; l += 25) {
			printf "FN:%d,fn_%d_%d\n", l, f, l
			printf "FNDA:%d,fn_%d_%d\n", ((f + l) % 3 ? 1 : 0), f, l
		}
		lh = 0
		for (l = 1; l <= lines; l++) {
			hits = ((f * 7 + l) % 3) ? (f + l) % 100 + 1 : 0
			if (hits > 0) lh++
			printf "DA:%d,%d\n", l, hits
			if (l % 50 == 0) printf "BRDA:%d,0,0,%d\nBRDA:%d,0,1,-\n", l, hits, l
		}
		printf "LF:%d\nLH:%d\nend_of_record\n", lines, lh
	}
}' >"$INFO"

da=$(grep -c '^DA:' "$INFO")
printf 'LCOV file: %d DA lines, %d files, %s\n' "$da" "$FILES" "$(du -h "$INFO" | cut -f1)"

# Both tools must agree on the totals.
sk_total=$("$SK" coverage --dir "$ROOT" --import "$INFO" --format json | python3 -c '
import json, sys
t = json.load(sys.stdin)["total"]
print(t["covered"], t["statements"])')
lcov_total=$(lcov --summary "$INFO" 2>&1 | awk '/lines/ { gsub(/[()]/, ""); print $3, $5 }')
echo "totals (covered statements): sprintkit $sk_total, lcov $lcov_total"
[ "$sk_total" = "$lcov_total" ] || { echo "bench/lcov.sh: totals differ" >&2; exit 1; }

now() { date +%s.%N; }
timed() {
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>&1
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}
rss() {
	local kb
	/usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>&1
	kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$WORK/time.txt")
	echo "$((kb / 1024)) MB"
}

ratios=()
for _ in $(seq "$PAIRS"); do
	ta=$(timed "$SK" coverage --dir "$ROOT" --import "$INFO" --format json)
	tb=$(timed lcov --summary "$INFO")
	r=$(echo "$ta / $tb" | bc -l)
	ratios+=("$r")
	printf '  pair: sprintkit %6.3fs  lcov --summary %6.3fs  ratio %.3f\n' "$ta" "$tb" "$r"
done
printf '%s\n' "${ratios[@]}" | sort -g | awk -v n="$PAIRS" '
	{ r[NR] = $1 }
	END {
		med = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
		printf "import vs lcov --summary: median ratio %.3f (min %.3f, max %.3f, %d interleaved pairs)\n", med, r[1], r[NR], n
	}'
echo "peak RSS: sprintkit $(rss "$SK" coverage --dir "$ROOT" --import "$INFO" --format json), lcov --summary $(rss lcov --summary "$INFO")"
