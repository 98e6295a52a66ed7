#!/usr/bin/env bash
# bench/html.sh: the static HTML report against `go tool cover -html`, on
# synthetic modules of two shapes (bench/genprofile: 1,000,000 blocks over
# 5,000 files each, sources present so both tools can show the source):
#
#   current     the coverage engine's benchmark profile: 20 functions per
#               file, each a switch of 8 cases (genprofile's default)
#   smallfuncs  issue 26's profile: 40 small functions per file with two
#               ifs each, about 4 KB of source per file
#
#   (a) writing: `sprintkit coverage --profile big.out --html --out site`
#       (parse, packages and functions via go list and go/ast, rank, table on
#       stdout, the whole site) vs `go tool cover -html=big.out -o x.html`
#       (parse, go list, one page), interleaved A B A B ..., PAIRS pairs
#       (default 5), the output removed before every run. For each shape it
#       prints the wall-time ratio (median, min, max), the CPU (user+sys,
#       median) of both, the bytes of both outputs (the whole site against
#       go tool cover's one page) and their ratio, and whether the goals are
#       met: the whole command at most 1x go tool cover's time, the site at
#       most 1.5x its bytes. Also the site stage alone (report.HTML, timed
#       inside bench/htmlsite) against the same go tool cover runs.
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
#   bench/html.sh                      # (a) and (b), both shapes
#   bench/html.sh a                    # only (a), both shapes
#   bench/html.sh a smallfuncs         # only (a), one shape (or SHAPE=smallfuncs)
#   PAIRS=7 ROUNDS=5 BENCH_DIR=/tmp bench/html.sh
set -euo pipefail

cd "$(dirname "$0")/.."
WHAT=${1:-ab}
SHAPE=${2:-${SHAPE:-both}}
case $SHAPE in
both) SHAPES="current smallfuncs" ;;
current | smallfuncs) SHAPES=$SHAPE ;;
*)
	echo "bench/html.sh: shape $SHAPE: want current, smallfuncs or both" >&2
	exit 2
	;;
esac
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

now() { date +%s.%N; }

median() { # numbers on stdin
	sort -g | awk '{ r[NR] = $1 } END { print (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }'
}

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

timed() { # "command" CPUFILE: runs it, prints its wall seconds, appends user+sys to CPUFILE
	local t0 t1
	t0=$(now)
	/usr/bin/time -f '%U %S' -o "$WORK/cpu.txt" bash -c "$1" >/dev/null 2>&1
	t1=$(now)
	awk '{ print $1 + $2 }' "$WORK/cpu.txt" >>"$2"
	echo "$t1 - $t0" | bc -l
}

verdict() { # WHAT VALUE LIMIT
	awk -v what="$1" -v v="$2" -v lim="$3" 'BEGIN { printf "    %s: %s (%.3f, goal at most %s)\n", what, (v <= lim ? "goal met" : "goal NOT met"), v, lim }'
}

bench_shape() { # SHAPE
	local shape=$1 big="$WORK/$1"
	"$WORK/genprofile" -shape "$shape" -dir "$big" 2>/dev/null
	local blocks files
	blocks=$(($(wc -l <"$big/big.out") - 1))
	files=$(find "$big" -name '*.go' | wc -l)
	echo "== shape $shape: $blocks blocks, $files files, $(du -m "$big/big.out" | cut -f1) MB profile, $(find "$big" -name "*.go" -printf "%s\n" | awk "{ s += \$1 } END { printf \"%.1f\", s / 1048576 }") MB of source, in $BASE"

	local SK_CMD="cd '$big' && '$WORK/sprintkit' coverage --profile big.out --html --out '$WORK/site'"
	local SITE_CMD="'$WORK/htmlsite' -profile '$big/big.out' -root '$big' -out '$WORK/site2'"
	local COVER_CMD="cd '$big' && go tool cover -html=big.out -o '$WORK/x.html'"
	go tool cover -func="$big/big.out" >/dev/null 2>&1 || true # warm go list

	echo "(a) writing the site vs go tool cover -html"
	local whole=() stage=() ta tb tb2 stages site
	: >"$WORK/cpu-sk" && : >"$WORK/cpu-cover" && : >"$WORK/cpu-ignored"
	for _ in $(seq "$PAIRS"); do
		rm -rf "$WORK/site" "$WORK/site2" "$WORK/x.html" "$big/.sprintkit"
		ta=$(timed "$SK_CMD" "$WORK/cpu-sk")
		tb=$(timed "$COVER_CMD" "$WORK/cpu-cover")
		stages=$(bash -c "$SITE_CMD" 2>&1 >/dev/null)
		site=$(echo "$stages" | sed -n 's/.* site \([0-9.]*\)s.*/\1/p')
		rm -f "$WORK/x.html"
		tb2=$(timed "$COVER_CMD" "$WORK/cpu-ignored")
		whole+=("$(echo "$ta / $tb" | bc -l)")
		stage+=("$(echo "$site / $tb2" | bc -l)")
		printf '  pair: sprintkit coverage --html %6.2fs  go tool cover %6.2fs | report.HTML alone %6.2fs  go tool cover %6.2fs\n' "$ta" "$tb" "$site" "$tb2"
	done
	local med skb cvb
	printf '%s\n' "${whole[@]}" | summary "(a) $shape: sprintkit coverage --profile --html / go tool cover -html"
	med=$(printf '%s\n' "${whole[@]}" | median)
	printf '%s\n' "${stage[@]}" | summary "(a) $shape: report.HTML (site only) / go tool cover -html"
	echo "    stages of the last bench/htmlsite run: ${stages#htmlsite: }"
	printf '    CPU (user+sys, median): sprintkit %.2fs, go tool cover %.2fs\n' "$(median <"$WORK/cpu-sk")" "$(median <"$WORK/cpu-cover")"
	skb=$(du -sb "$WORK/site" | cut -f1)
	cvb=$(stat -c %s "$WORK/x.html")
	printf '    bytes: site %d in %d files (%.1f KB per source file), go tool cover %d in 1 file: ratio %.3f\n' \
		"$skb" "$(find "$WORK/site" -type f | wc -l)" "$(echo "$skb / 1024 / $files" | bc -l)" "$cvb" "$(echo "$skb / $cvb" | bc -l)"
	echo "    peak RSS: sprintkit $(rm -rf "$WORK/site"; rss "$SK_CMD"), go tool cover -html $(rss "$COVER_CMD")"
	echo "    load average now: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) (wall times mean little above 1 on 2 cores)"
	echo "(a) $shape: goals"
	verdict "time, the whole command against go tool cover -html (median ratio)" "$med" 1
	verdict "bytes, the site against go tool cover's page (ratio)" "$(echo "$skb / $cvb" | bc -l)" 1.5

	[[ $WHAT == *b* ]] || return 0
	echo "(b) $shape: load time in headless Chromium (file://, navigation start to load event end)"
	rm -rf "$WORK/site" "$big/.sprintkit" && bash -c "$SK_CMD" >/dev/null 2>&1 && bash -c "$COVER_CMD" >/dev/null 2>&1
	largest() { find "$1" -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2; }
	"$WORK/htmlload" -rounds "$ROUNDS" "$WORK/site/index.html" "$(largest "$WORK/site/src")" "$(largest "$WORK/site/pkg")" "$WORK/x.html"
}

for shape in $SHAPES; do
	bench_shape "$shape"
	rm -rf "${WORK:?}/$shape" "$WORK/site" "$WORK/site2" "$WORK/x.html"
done
