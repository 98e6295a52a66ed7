#!/usr/bin/env bash
# bench/diff.sh: the diff behind `coverage --diff` and watch-test's "your
# change" line, through the git CLI vs through go-git.
#
# Generates a repository of FILES files (default 10,000; bench/genrepo, with
# COMMITS commits, default 200), clones it, and changes CHANGED files
# (default 50): a fifth committed, a fifth staged, two fifths edited and not
# staged, a fifth new and untracked. Then it times, interleaved (A B A B ...),
# PAIRS pairs (default 7):
#
#   A: diffbench -backend git     (git diff -U0 -M REF + git ls-files --others)
#   B: diffbench -backend go-git  (go-git status + tree diff + Myers per file)
#
# against the clone's first HEAD, checks that both find the same changed
# lines, and prints the median of the per-pair ratios B/A with min and max.
# A ratio above 1 means the git CLI is faster. Data lives on tmpfs
# (/dev/shm when present), caches warm.
#
#   bench/diff.sh
#   PAIRS=5 FILES=20000 CHANGED=200 bench/diff.sh
set -euo pipefail

cd "$(dirname "$0")/.."
PAIRS=${PAIRS:-7}
FILES=${FILES:-10000}
COMMITS=${COMMITS:-200}
CHANGED=${CHANGED:-50}
BASE=${BENCH_DIR:-/dev/shm}
[ -d "$BASE" ] || BASE=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$BASE/sprintkit-bench-diff.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

go build -o "$WORK/diffbench" ./bench/diffbench
go run ./bench/genrepo -o "$WORK/repo.git" -files "$FILES" -commits "$COMMITS" >/dev/null
git clone -q "$WORK/repo.git" "$WORK/wt"
cd "$WORK/wt"
REF=$(git rev-parse HEAD)

# The change: every FILES/CHANGED-th file, in five groups.
step=$((FILES / CHANGED))
n=0
for i in $(seq 0 "$step" $((FILES - 1))); do
	[ "$n" -lt "$CHANGED" ] || break
	f=$(printf 'pkg%03d/file%04d.go' $((i % 100)) "$i")
	case $((n % 5)) in
	0) sed -i 's/return x \* /return x + /' "$f"; git add "$f" ;;
	1) sed -i '3a\
\
func Added'"$i"'(x int) int {\
	y := x * 3\
	return y\
}' "$f"; git add "$f" ;;
	2 | 3) sed -i '0,/if x > /s/if x > /if x >= /' "$f"; printf '\nfunc Tail%d() int {\n\treturn %d\n}\n' "$i" "$i" >>"$f" ;;
	4) printf 'package pkg%03d\n\nfunc New%d(x int) int {\n\tz := x - %d\n\treturn z\n}\n' $((i % 100)) "$i" "$i" >"pkgnew$i.go" ;;
	esac
	n=$((n + 1))
done
git commit -q -m 'committed part of the change' -- $(git diff --cached --name-only | head -n $((CHANGED / 5)))
echo "repository: $FILES files, $COMMITS commits; change: $(git diff --name-only "$REF" | wc -l) tracked files, $(git ls-files --others --exclude-standard | wc -l) untracked"

a=$("$WORK/diffbench" -dir . -ref "$REF" -backend git)
b=$("$WORK/diffbench" -dir . -ref "$REF" -backend go-git)
echo "git CLI: $a"
echo "go-git:  $b"
[ "$a" = "$b" ] || { echo "bench/diff.sh: the backends disagree" >&2; exit 1; }

now() { date +%s.%N; }
timed() {
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>&1
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

ratios=()
for _ in $(seq "$PAIRS"); do
	ta=$(timed "$WORK/diffbench" -dir . -ref "$REF" -backend git)
	tb=$(timed "$WORK/diffbench" -dir . -ref "$REF" -backend go-git)
	r=$(echo "$tb / $ta" | bc -l)
	ratios+=("$r")
	printf '  pair: git CLI %6.3fs  go-git %6.3fs  ratio %.2f\n' "$ta" "$tb" "$r"
done
printf '%s\n' "${ratios[@]}" | sort -g | awk -v n="$PAIRS" '
	{ r[NR] = $1 }
	END {
		med = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
		printf "go-git vs git CLI: median ratio %.2f (min %.2f, max %.2f, %d interleaved pairs; above 1: the git CLI is faster)\n", med, r[1], r[NR], n
	}'
