#!/usr/bin/env bash
# bench/pertest.sh — the cost of per-test coverage (coverage/pertest) of a
# package of 500 tests against one plain `go test` of that package, build
# included in both.
#
# The package is generated: 50 files of 10 functions, each with its own
# test (500 tests) that does a little work. Interleaved, PAIRS times
# (plain, per-test, per-test, plain, ...), the build cache warm for both
# (a first run of each, untimed, fills it; every timed run links its
# binary again and runs every test):
#   plain    = go test -count=1 .
#   per-test = bench/pertestbench: go test -c -cover -coverpkg=PKG once,
#              then the binary once per test (-test.run '^TestX$'), in
#              parallel, GOMAXPROCS at a time
# Prints the median of the per-pair ratios (per-test / plain) with min and
# max, the CPU time (user + sys) of each, and whether the goal (at most 2x)
# is met. Wall time on a shared machine moves; CPU time holds better.
#
# Where the cost is: one process start per test. A test binary of this
# package started for one test costs about 4 ms of CPU, 10 ms with its
# -test.coverprofile (the testing package writes its coverage data and
# converts it to the text profile at exit), so 500 tests cost ~5 s of CPU
# whatever the tests do, while the plain run starts one process. The 2x
# goal needs the tests of a package run in one process with a counter
# snapshot between tests (runtime/coverage.WriteCounters from an overlaid
# TestMain, decoded against WriteMeta's meta-data), which this engine does
# not do yet.
#
#   bench/pertest.sh            # 5 pairs
#   PAIRS=3 TESTS=500 bench/pertest.sh
set -euo pipefail
PAIRS=${PAIRS:-5}
FILES=${FILES:-50}
PER=${PER:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -x /usr/bin/time ] || { echo "pertest.sh: /usr/bin/time is not installed (apt-get install time)" >&2; exit 2; }
T=$(mktemp -d /tmp/sprintkit-bench-pertest.XXXXXX)
trap 'rm -rf "$T"' EXIT
(cd "$ROOT" && go build -o "$T/pertestbench" ./bench/pertestbench)

# The package.
P=$T/gen
mkdir -p "$P"
printf 'module example.com/gen\n\ngo 1.21\n' > "$P/go.mod"
for f in $(seq 0 $((FILES - 1))); do
	{
		echo "package gen"
		for i in $(seq 0 $((PER - 1))); do
			cat <<GO

// F${f}_$i sums the digits of n, and says whether it was even.
func F${f}_$i(n int) (int, bool) {
	s := 0
	for n > 0 {
		s += n % 10
		n /= 10
	}
	if s%2 == 0 {
		return s, true
	}
	return s + $i, false
}
GO
		done
	} > "$P/f$f.go"
	{
		echo "package gen"
		echo
		echo 'import "testing"'
		for i in $(seq 0 $((PER - 1))); do
			cat <<GO

func TestF${f}_$i(t *testing.T) {
	for n := 0; n < 2000; n++ {
		if s, _ := F${f}_$i(n); s < 0 {
			t.Fatal(n)
		}
	}
}
GO
		done
	} > "$P/f${f}_test.go"
done
tests=$(cat "$P"/*_test.go | grep -c '^func Test')
echo "bench/pertest.sh: a package of $tests tests in $FILES files; $(nproc) cores; $(go env GOVERSION); load $(cut -d' ' -f1-3 /proc/loadavg)"

plain() { (cd "$P" && go test -count=1 . >/dev/null); }
pertest() { (cd "$P" && "$T/pertestbench" -dir "$P" -pkg example.com/gen > "$T/out"); grep -q "^$tests tests measured, 0 skipped" "$T/out" || { echo "pertest.sh: per-test coverage measured $(cat "$T/out")" >&2; exit 1; }; }

# timed NAME: runs NAME, appends "wall cpu" to $T/NAME.
timed() {
	local t0 t1
	t0=$(date +%s.%N)
	/usr/bin/time -f '%U %S' -o "$T/time" bash -c "$(declare -f plain pertest); T=$T P=$P tests=$tests $1"
	t1=$(date +%s.%N)
	echo "$(echo "$t1 - $t0" | bc -l) $(awk '{print $1 + $2}' "$T/time")" >> "$T/$1"
}

plain; pertest # warm the build cache for both
for i in $(seq "$PAIRS"); do
	if [ $((i % 2)) -eq 1 ]; then timed plain; timed pertest; else timed pertest; timed plain; fi
done

median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }
paste -d' ' "$T/pertest" "$T/plain" | awk '{print $1 / $3, $2 / $4}' > "$T/ratios"
ratio=$(cut -d' ' -f1 "$T/ratios" | median)
cpu_ratio=$(cut -d' ' -f2 "$T/ratios" | median)
lo=$(cut -d' ' -f1 "$T/ratios" | sort -g | head -1)
hi=$(cut -d' ' -f1 "$T/ratios" | sort -g | tail -1)
echo "plain go test:     median $(cut -d' ' -f1 "$T/plain" | median)s wall, $(cut -d' ' -f2 "$T/plain" | median)s CPU"
echo "per-test coverage: median $(cut -d' ' -f1 "$T/pertest" | median)s wall, $(cut -d' ' -f2 "$T/pertest" | median)s CPU ($tests test runs)"
echo "ratio per-test / plain: median ${ratio}x wall (min ${lo}, max ${hi}), ${cpu_ratio}x CPU, over $PAIRS pairs"
if awk -v r="$ratio" 'BEGIN {exit !(r <= 2)}'; then
	echo "goal (at most 2x): met"
else
	echo "goal (at most 2x): not met"
fi
