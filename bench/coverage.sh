#!/usr/bin/env bash
# bench/coverage.sh: what `sprintkit coverage` costs beyond the Go toolchain.
#
#   (a) overhead: `sprintkit coverage` on a generated module with tests, vs the
#       plain `go test -json -coverprofile=F -coverpkg=./... ./...` that it runs
#       (GOFLAGS=-count=1 for both, so the tests really run; build cache warm);
#   (b) large profiles: `sprintkit coverage --profile big.out --format json` vs
#       `go tool cover -func=big.out` on a generated profile of >= 1,000,000
#       blocks over >= 5,000 files (bench/genprofile), sources present.
#
# Runs are interleaved (A B, B A, A B ...), PAIRS pairs (default 7); every
# run is under /usr/bin/time -v. The script prints the median of the per-pair
# ratios sprintkit/peer, of time and of peak RSS (the largest single process
# of the run: for (a) that is usually a go build or test process), with min
# and max, and each side's peak RSS. For (b) the goals are a time ratio and an
# RSS ratio at most 1. Data lives on tmpfs (/dev/shm when present), caches
# are warm.
#
#   bench/coverage.sh            # both
#   PAIRS=5 bench/coverage.sh b  # only (b)
set -euo pipefail

cd "$(dirname "$0")/.."
PAIRS=${PAIRS:-7}
WHAT=${1:-ab}
BASE=${BENCH_DIR:-/dev/shm}
[ -d "$BASE" ] || BASE=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$BASE/sprintkit-bench-cover.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local NO_COLOR=1

go build -o "$WORK/sprintkit" ./cmd/sprintkit
go build -o "$WORK/genprofile" ./bench/genprofile
SK="$WORK/sprintkit"

now() { date +%s.%N; }

# timed CMD...: runs CMD with output discarded under /usr/bin/time, prints
# seconds and the peak RSS in MB (the largest single process of the run).
timed() {
	local t0 t1
	t0=$(now)
	/usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>&1 || true
	t1=$(now)
	echo "$(echo "$t1 - $t0" | bc -l) $(awk -F': ' '/Maximum resident set size/ { printf "%d", $2 / 1024 }' "$WORK/time.txt")"
}

# stats NAME: median, min and max of the numbers on stdin.
stats() {
	sort -g | awk -v name="$1" '
		{ r[NR] = $1 }
		END {
			med = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
			printf "%s: median %.3f (min %.3f, max %.3f, %d interleaved pairs)\n", name, med, r[1], r[NR], NR
		}'
}

# compare NAME "sprintkit command" "peer command" [prepare command]:
# interleaved pairs; the median ratio of times, and of peak RSS.
compare() {
	local name=$1 a=$2 b=$3 prep=${4:-true}
	local ratios=() mem=() ma=() mb=() ta tb ra rb
	for i in $(seq "$PAIRS"); do
		# Alternate which runs first (A B, B A, ...) so that neither always
		# inherits the other's warm or cold state.
		if ((i % 2)); then
			eval "$prep"
			read -r ta ra < <(timed bash -c "$a")
			eval "$prep"
			read -r tb rb < <(timed bash -c "$b")
		else
			eval "$prep"
			read -r tb rb < <(timed bash -c "$b")
			eval "$prep"
			read -r ta ra < <(timed bash -c "$a")
		fi
		ratios+=("$(echo "$ta / $tb" | bc -l)")
		mem+=("$(echo "$ra / $rb" | bc -l)")
		ma+=("$ra") mb+=("$rb")
		printf '  pair %d: sprintkit %6.2fs %5d MB  peer %6.2fs %5d MB  time ratio %.3f  RSS ratio %.3f\n' "$i" "$ta" "$ra" "$tb" "$rb" "$(echo "$ta / $tb" | bc -l)" "$(echo "$ra / $rb" | bc -l)"
	done
	printf '%s\n' "${ratios[@]}" | stats "$name: time sprintkit/peer"
	printf '%s\n' "${mem[@]}" | stats "$name: peak RSS sprintkit/peer"
	printf '%s\n' "${ma[@]}" | stats "    peak RSS of sprintkit, MB"
	printf '%s\n' "${mb[@]}" | stats "    peak RSS of the peer, MB"
}

if [[ $WHAT == *a* ]]; then
	MOD="$WORK/mod"
	"$WORK/genprofile" -dir "$MOD" -files 200 -packages 20 -funcs 10 -tests 2>/dev/null
	rm -f "$MOD/big.out"
	(cd "$MOD" && go test -count=1 -coverpkg=./... -coverprofile=/dev/null ./... >/dev/null) # warm the build cache
	echo "(a) sprintkit coverage vs go test -json -coverpkg=./... -coverprofile (generated module: 20 packages, 200 files, tests run with -count=1)"
	compare "(a) overhead" \
		"cd '$MOD' && GOFLAGS='-mod=mod -count=1' '$SK' coverage --format json" \
		"cd '$MOD' && GOFLAGS='-mod=mod -count=1' go test -json -coverprofile='$WORK/plain.out' -coverpkg=./... ./..."
fi

# large COPIES: (b) with every block line COPIES times, as -coverpkg writes
# one copy per test binary; the profile grows, the distinct blocks do not.
large() {
	local copies=$1 BIG="$WORK/big$1"
	"$WORK/genprofile" -dir "$BIG" -copies "$copies" 2>/dev/null
	local lines=$(($(wc -l <"$BIG/big.out") - 1))
	echo "(b) sprintkit coverage --profile big.out --format json vs go tool cover -func=big.out ($lines block lines, $((lines / copies)) distinct, $(find "$BIG" -name '*.go' | wc -l) files, $(du -m "$BIG/big.out" | cut -f1) MB profile)"
	go tool cover -func="$BIG/big.out" >/dev/null 2>&1 || true # warm
	compare "(b) large profile, $copies cop$([ "$copies" = 1 ] && echo y || echo ies) of each block" \
		"cd '$BIG' && '$SK' coverage --profile big.out --format json" \
		"cd '$BIG' && go tool cover -func=big.out" \
		"rm -rf '$BIG/.sprintkit'"
	rm -rf "$BIG"
}

if [[ $WHAT == *b* ]]; then
	large 1
	large 4
fi
