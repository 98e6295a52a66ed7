#!/usr/bin/env bash
# bench/shards.sh: how evenly `sprintkit coverage --shard I/N` splits a suite.
#
# Generates a module of PKGS packages (default 500) whose tests sleep for
# uneven times (most 5-320 ms, every 50th package 2 s), records the baseline
# once (`sprintkit setup .`, whose per-test seconds the plan reads), then for
# N = 2, 4, 8 runs the N shards one after another and prints the longest
# shard's recorded test seconds over the sum of all shards', against the
# ideal 1/N (goal: within 10% of 1/N), and the best any plan can do:
# max(1/N, the heaviest package's share). Recorded seconds are the tests' own
# (go test -json Elapsed of top-level tests), so build and link time, which
# a CI job also pays, is not in the figure. GOFLAGS=-count=1: tests really run.
#
#   bench/shards.sh             # 500 packages: several minutes per N on 2 cores
#   PKGS=60 bench/shards.sh     # a quick look
set -euo pipefail

cd "$(dirname "$0")/.."
PKGS=${PKGS:-500}
BASE=${BENCH_DIR:-/dev/shm}
[ -d "$BASE" ] || BASE=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$BASE/sprintkit-bench-shards.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export GOFLAGS="-mod=mod -count=1" GOPROXY=off GOTOOLCHAIN=local NO_COLOR=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

go build -o "$WORK/sprintkit" ./cmd/sprintkit
SK="$WORK/sprintkit"

# The module: package pNNN's test sleeps ms(NNN) milliseconds.
M="$WORK/mod"
mkdir -p "$M"
printf 'module example.com/uneven\n\ngo 1.22\n' >"$M/go.mod"
for ((i = 0; i < PKGS; i++)); do
	p=$(printf 'p%03d' "$i")
	r=$(((i * 7919) % 97))
	ms=$((5 + r * r / 30))
	if ((i % 50 == 7)); then ms=2000; fi
	mkdir -p "$M/$p"
	printf 'package %s\n\nfunc F(n int) int {\n\tif n > 0 {\n\t\treturn n\n\t}\n\treturn -n\n}\n' "$p" >"$M/$p/$p.go"
	printf 'package %s\n\nimport (\n\t"testing"\n\t"time"\n)\n\nfunc TestF(t *testing.T) {\n\ttime.Sleep(%d * time.Millisecond)\n\tif F(1) != 1 {\n\t\tt.Fatal()\n\t}\n}\n' "$p" "$ms" >"$M/$p/${p}_test.go"
done
(cd "$M" && git init -q -b main && git add -A && git commit -q -m uneven)

echo "module: $PKGS packages; recording the baseline (durations for the plan)"
(cd "$M" && "$SK" setup . >/dev/null 2>&1)

# seconds FILE...: the recorded top-level test seconds in shard outcomes.
seconds() { jq -s '[.[].tests[] | select(.test | contains("/") | not) | .seconds] | add // 0' "$@"; }

# heaviest FILE...: the largest one package's seconds: no plan beats it.
heaviest() { jq -s '[.[].tests[] | select(.test | contains("/") | not)] | group_by(.package) | map(map(.seconds) | add) | max // 0' "$@"; }

printf '%-3s %-12s %-10s %-10s %-9s %s\n' N longest/sum ideal-1/N ratio best-possible "within 10%"
for n in 2 4 8; do
	d="$WORK/shards-$n"
	for ((i = 1; i <= n; i++)); do
		(cd "$M" && "$SK" coverage --shard "$i/$n" --shard-dir "$d" >/dev/null)
	done
	sum=$(seconds "$d"/shard-*-of-"$n".json)
	top=$(heaviest "$d"/shard-*-of-"$n".json)
	max=0
	for ((i = 1; i <= n; i++)); do
		s=$(seconds "$d/shard-$i-of-$n.json")
		max=$(jq -n "[$max, $s] | max")
	done
	jq -rn --argjson n "$n" --argjson max "$max" --argjson sum "$sum" --argjson top "$top" '
		def r: . * 1000 | round / 1000;
		($max / $sum) as $f | (1 / $n) as $i | ([$i, $top / $sum] | max) as $b |
		"\($n)   \($f | r)        \($i | r)      \($f / $i | r)     \($b | r)         \(if $f <= $i * 1.1 then "yes" else "no (one package is \($top / $sum | r) of the sum)" end)"'
	# The merge equals the baseline's total.
	(cd "$M" && "$SK" coverage --outcomes "$d/*.json" --format json >/dev/null)
done
