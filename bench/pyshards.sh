#!/usr/bin/env bash
# bench/pyshards.sh: how evenly `sprintkit coverage --shard I/N` splits a
# Python project's test files, and whether the merge equals one run.
#
# Generates a Python project of FILES test files (default 120) whose tests
# sleep for uneven times (most 5-200 ms, every 25th file 1.5 s), records the
# baseline once (`sprintkit setup .`, whose per-test seconds the plan sums
# by file), then for N = 2, 4 runs the N shards one after another and
# prints the longest shard's recorded test seconds over the sum of all
# shards', against the ideal 1/N and the best any plan can do (max(1/N, the
# heaviest file's share)); and whether the merged coverage.json equals the
# unsharded one apart from times (jq, as the testscripts' cmpcoverage).
# Recorded seconds are pytest's own per test, so interpreter start-up and
# collection, which a CI job also pays, are not in the figure.
#
#   bench/pyshards.sh            # 120 files: about 5 minutes on 2 cores
#   FILES=40 bench/pyshards.sh   # a quick look (about 2 minutes)
set -euo pipefail

cd "$(dirname "$0")/.."
FILES=${FILES:-120}
BASE=${BENCH_DIR:-/dev/shm}
[ -d "$BASE" ] || BASE=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$BASE/sprintkit-bench-pyshards.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export NO_COLOR=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

go build -o "$WORK/sprintkit" ./cmd/sprintkit
SK="$WORK/sprintkit"

# The project: module app/mNNN.py, tested by tests/test_mNNN.py, whose test
# sleeps ms(NNN) milliseconds; branch = True.
P="$WORK/proj"
mkdir -p "$P/app" "$P/tests"
printf '[project]\nname = "uneven"\nversion = "0.1.0"\n' >"$P/pyproject.toml"
printf '[run]\nbranch = True\n' >"$P/.coveragerc"
: >"$P/app/__init__.py"
for ((i = 0; i < FILES; i++)); do
	m=$(printf 'm%03d' "$i")
	r=$(((i * 7919) % 97))
	ms=$((5 + r * r / 48))
	if ((i % 25 == 7)); then ms=1500; fi
	printf 'def f(n):\n    if n > 0:\n        return n\n    return -n\n\n\ndef g(n):\n    return n * 2\n' >"$P/app/$m.py"
	printf 'import time\n\nfrom app.%s import f\n\n\ndef test_f():\n    time.sleep(%s)\n    assert f(%d) >= 0\n' "$m" "$(jq -n "$ms / 1000")" "$((i % 3 - 1))" >"$P/tests/test_$m.py"
done
(cd "$P" && git init -q -b main && git add -A && git commit -q -m uneven)

echo "project: $FILES test files; recording the baseline (durations for the plan)"
(cd "$P" && "$SK" setup . >/dev/null 2>&1)
(cd "$P" && "$SK" coverage >/dev/null 2>&1 && cp .sprintkit/coverage.json "$WORK/unsharded.json")

# seconds FILE...: the recorded test seconds in shard outcomes.
seconds() { jq -s '[.[].tests[].seconds] | add // 0' "$@"; }

# heaviest FILE...: the largest one file's seconds: no plan beats it.
heaviest() { jq -s '[.[].tests[]] | group_by(.package) | map(map(.seconds) | add) | max // 0' "$@"; }

# timeless FILE: coverage.json without its times, as cmpcoverage compares.
timeless() { jq -S 'walk(if type == "object" then del(.generated, .created, .seconds) else . end)' "$1"; }

printf '%-3s %-12s %-10s %-10s %-14s %-11s %s\n' N longest/sum ideal-1/N ratio best-possible "within 10%" "merge = unsharded"
for n in 2 4; do
	d="$WORK/shards-$n"
	for ((i = 1; i <= n; i++)); do
		(cd "$P" && "$SK" coverage --shard "$i/$n" --shard-dir "$d" >/dev/null 2>&1)
	done
	sum=$(seconds "$d"/shard-*-of-"$n".json)
	top=$(heaviest "$d"/shard-*-of-"$n".json)
	max=0
	for ((i = 1; i <= n; i++)); do
		s=$(seconds "$d/shard-$i-of-$n.json")
		max=$(jq -n "[$max, $s] | max")
	done
	(cd "$P" && "$SK" coverage --outcomes "$d/*.json" >/dev/null 2>&1)
	same=no
	if cmp -s <(timeless "$P/.sprintkit/coverage.json") <(timeless "$WORK/unsharded.json"); then same=yes; fi
	jq -rn --argjson n "$n" --argjson max "$max" --argjson sum "$sum" --argjson top "$top" --arg same "$same" '
		def r: . * 1000 | round / 1000;
		($max / $sum) as $f | (1 / $n) as $i | ([$i, $top / $sum] | max) as $b |
		"\($n)   \($f | r)        \($i | r)      \($f / $i | r)     \($b | r)          \(if $f <= $i * 1.1 then "yes" else "no" end)         \($same)"'
done
