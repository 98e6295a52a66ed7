#!/usr/bin/env bash
# bench/copy.sh — wall time of `sprintkit copy` against `cp -a` and `rsync -a`,
# interleaved (sprintkit, cp, rsync, then the reverse order, ...), a fresh
# destination before every run, caches warm. Prints the median, min and max
# of the per-round ratios of wall times; a ratio below 1 means sprintkit is
# faster. Also prints the CPU time (user + system) each tool used: on a
# shared machine the wall time depends on how much CPU the others leave.
#
#   bench/copy.sh                               # every scenario, both shapes, 5 rounds
#   ROUNDS=7 SCENARIOS="tree-shm noop-shm" bench/copy.sh
#   SHAPE=random SCENARIOS=tree-shm bench/copy.sh  # one tree shape only
#   SK_FLAGS="-j 4" bench/copy.sh               # flags for sprintkit copy
#
# Tree shapes (SHAPE, default "checkout random"; see bench/gentree), for the
# tree-*, noop-* and jobs-* scenarios:
#   checkout   a checkout-like tree: FILES files, shallow directories of a dozen
#              entries, most files a few KB
#   random     RANDOM_DIRS (800) directories nested at random (a dozen levels deep
#              in places), FILES files of 0-64 KiB, a few of several MiB, symlinks
#
# Goal (issue 26), checked for every sprintkit/cp pair: the median of the
# per-round wall-time ratios is at most GOAL_RATIO (0.55), and the median
# CPU time (user + system) of sprintkit is no more than cp's. Each prints
# "goal met" or "goal NOT met"; the load average is printed beside the
# figures, since on a busy machine the wall times say little.
#
# Scenarios:
#   tree-shm   the tree of each shape on /dev/shm (tmpfs):
#              the engine's own cost, stable
#   tree-disk  the same tree on the disk ($DISK): what a user sees, dominated by
#              writeback; `sync` runs before every timed run
#   large-shm  LARGE_N files of LARGE_SIZE on /dev/shm (2 GiB by default)
#   large-disk the same on the disk
#   noop-shm   re-copy of an unchanged tree, sprintkit vs rsync -a (cp has no no-op)
#   noop-disk  the same on the disk
#   jobs-shm   sprintkit alone with -j 1 2 4 8 16 on the tmpfs tree (to pick the default)
#   jobs-disk  the same on the disk
set -euo pipefail

ROUNDS=${ROUNDS:-5}
FILES=${FILES:-20000}
RANDOM_DIRS=${RANDOM_DIRS:-800}
SHAPE=${SHAPE:-"checkout random"}
GOAL_RATIO=${GOAL_RATIO:-0.55}
LARGE_N=${LARGE_N:-4}
LARGE_SIZE=${LARGE_SIZE:-512M}
SHM=${SHM:-/dev/shm/sprintkit-bench}
DISK=${DISK:-/var/tmp/sprintkit-bench}
SCENARIOS=${SCENARIOS:-"tree-shm tree-disk large-shm noop-shm noop-disk"}
SK_FLAGS=${SK_FLAGS:-}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cleanup() { rm -rf "$work" "$SHM" "$DISK"; }
trap cleanup EXIT

command -v rsync >/dev/null || { echo "copy.sh: rsync is not installed (apt-get install rsync)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "copy.sh: /usr/bin/time is not installed (apt-get install time)" >&2; exit 2; }
(cd "$root" && go build -o "$work/sprintkit" ./cmd/sprintkit && go build -o "$work/gentree" ./bench/gentree)
SK="$work/sprintkit"

echo "cores: $(nproc)   kernel: $(uname -r)   $(cp --version | head -1)   $(rsync --version | head -1 | sed 's/  protocol.*//')"
echo "sprintkit copy $SK_FLAGS (default workers: $("$SK" copy --help | sed -n 's/.*files at once (default: \([0-9]*\)).*/\1/p'))   rounds: $ROUNDS   page cache: warm (not dropped)"

# now prints a timestamp in seconds with microseconds.
now() { echo "${EPOCHREALTIME/,/.}"; }

# timeit DISKSYNC CPUFILE CMD... runs CMD, prints its wall time in seconds
# and appends the CPU time it used (user + system, all its threads and
# children) to CPUFILE.
timeit() {
	local s=$1 cpu=$2; shift 2
	[ "$s" = 1 ] && sync
	local t0 t1
	t0=$(now)
	/usr/bin/time -f "%U %S" -o "$work/time" "$@" >/dev/null
	t1=$(now)
	awk '{printf "%.4f\n", $1+$2}' "$work/time" >> "$cpu"
	echo "$t0 $t1" | awk '{printf "%.4f\n", $2-$1}'
}

# stats FILE prints "median M  min m  max x" of the numbers in FILE.
stats() {
	sort -g "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "median %.3f  min %.3f  max %.3f", m, a[1], a[NR]}'
}

ratios() { paste "$1" "$2" | awk '{printf "%.4f\n", $1/$2}' > "$3"; }

# gen_tree DIR SHAPE writes the tree of SHAPE at DIR, unless it is there.
gen_tree() { [ -d "$1" ] || "$work/gentree" -out "$1" -shape "$2" -files "$FILES" -dirs "$RANDOM_DIRS"; }

# shape_name SHAPE describes the tree of SHAPE.
shape_name() {
	case $1 in
	checkout) echo "checkout-like tree, $FILES files" ;;
	random) echo "random tree, $RANDOM_DIRS nested directories, $FILES files of 0-64 KiB" ;;
	esac
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

# median FILE prints the median of the numbers in FILE.
median() { sort -g "$1" | awk '{a[NR]=$1} END {printf "%.4f", (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

# goal prints whether the median ratio (file $1) is at most GOAL_RATIO and
# the median CPU of sprintkit ($2) no more than cp's ($3).
goal() {
	local r c1 c2
	r=$(median "$1"); c1=$(median "$2"); c2=$(median "$3")
	if awk -v r="$r" -v g="$GOAL_RATIO" 'BEGIN {exit !(r <= g)}'; then
		echo "  goal wall <= ${GOAL_RATIO}x cp -a: goal met (median $r)"
	else
		echo "  goal wall <= ${GOAL_RATIO}x cp -a: goal NOT met (median $r)"
	fi
	if awk -v a="$c1" -v b="$c2" 'BEGIN {exit !(a <= b)}'; then
		echo "  goal cpu <= cp -a's:       goal met ($c1 s vs $c2 s)"
	else
		echo "  goal cpu <= cp -a's:       goal NOT met ($c1 s vs $c2 s)"
	fi
}
gen_large() { [ -d "$1" ] || "$work/gentree" -out "$1" -large "$LARGE_N" -size "$LARGE_SIZE"; }

# versus NAME BASE DISKSYNC: sprintkit vs cp -a vs rsync -a copying BASE/src to BASE/dst.
versus() {
	local name=$1 base=$2 s=$3 src=$2/src dst=$2/dst l0
	: > "$work/sk"; : > "$work/cp"; : > "$work/rs"; : > "$work/sk.cpu"; : > "$work/cp.cpu"; : > "$work/rs.cpu"
	# One untimed copy first: the first copy after a pause (the tree just
	# written, another scenario's cleanup) was seen to take up to 3x the
	# system time of the next ones (memory not touched for a while; in a VM
	# perhaps pages the host took back), and that would go to whichever
	# tool runs first.
	rm -rf "$dst"
	cp -a "$src/." "$dst/"
	rm -rf "$dst"
	l0=$(load)
	for i in $(seq "$ROUNDS"); do
		local order="sk cp rs"
		[ $((i % 2)) = 0 ] && order="rs cp sk"
		for t in $order; do
			rm -rf "$dst"
			case $t in
			sk) timeit "$s" "$work/sk.cpu" "$SK" copy $SK_FLAGS "$src" "$dst" >> "$work/sk" ;;
			cp) timeit "$s" "$work/cp.cpu" cp -a "$src/." "$dst/" >> "$work/cp" ;;
			rs) timeit "$s" "$work/rs.cpu" rsync -a "$src/" "$dst/" >> "$work/rs" ;;
			esac
		done
	done
	rm -rf "$dst"
	ratios "$work/sk" "$work/cp" "$work/r1"
	ratios "$work/sk" "$work/rs" "$work/r2"
	echo "== $name =="
	echo "  load average     before $l0   after $(load)"
	echo "  sprintkit copy   $(stats "$work/sk") s   cpu $(stats "$work/sk.cpu") s"
	echo "  cp -a            $(stats "$work/cp") s   cpu $(stats "$work/cp.cpu") s"
	echo "  rsync -a         $(stats "$work/rs") s   cpu $(stats "$work/rs.cpu") s"
	echo "  ratio sprintkit / cp -a     $(stats "$work/r1")"
	echo "  ratio sprintkit / rsync -a  $(stats "$work/r2")"
	goal "$work/r1" "$work/sk.cpu" "$work/cp.cpu"
}

# noop NAME BASE DISKSYNC: re-copy of an unchanged tree, sprintkit vs rsync -a.
noop() {
	local name=$1 base=$2 s=$3 src=$2/src dst=$2/dst
	rm -rf "$dst"
	"$SK" copy "$src" "$dst" >/dev/null
	rsync -a "$src/" "$dst/" # both agree it is up to date
	: > "$work/sk"; : > "$work/rs"; : > "$work/sk.cpu"; : > "$work/rs.cpu"
	for i in $(seq "$ROUNDS"); do
		local order="sk rs"
		[ $((i % 2)) = 0 ] && order="rs sk"
		for t in $order; do
			case $t in
			sk) timeit "$s" "$work/sk.cpu" "$SK" copy $SK_FLAGS "$src" "$dst" >> "$work/sk" ;;
			rs) timeit "$s" "$work/rs.cpu" rsync -a "$src/" "$dst/" >> "$work/rs" ;;
			esac
		done
	done
	if [ -n "$("$SK" copy --json "$src" "$dst" | grep -v '"event":"skipped"' | grep -v '"event":"summary"' | grep -v '"type":"dir"' || true)" ]; then
		echo "copy.sh: the no-op re-copy copied something" >&2
		exit 1
	fi
	rm -rf "$dst"
	ratios "$work/sk" "$work/rs" "$work/r2"
	echo "== $name =="
	echo "  load average     $(load)"
	echo "  sprintkit copy   $(stats "$work/sk") s   cpu $(stats "$work/sk.cpu") s"
	echo "  rsync -a         $(stats "$work/rs") s   cpu $(stats "$work/rs.cpu") s"
	echo "  ratio sprintkit / rsync -a  $(stats "$work/r2")"
}

# jobs NAME BASE DISKSYNC: sprintkit alone at several worker counts, interleaved.
jobs() {
	local name=$1 base=$2 s=$3 src=$2/src dst=$2/dst
	local counts="1 2 4 8 16"
	for j in $counts; do : > "$work/j$j"; done
	for i in $(seq "$ROUNDS"); do
		for j in $counts; do
			rm -rf "$dst"
			timeit "$s" "$work/cpu" "$SK" copy -j "$j" "$src" "$dst" >> "$work/j$j"
		done
	done
	rm -rf "$dst"
	echo "== $name =="
	for j in $counts; do
		ratios "$work/j$j" "$work/j8" "$work/rj"
		echo "  -j $(printf %-3s "$j") $(stats "$work/j$j") s   ratio to -j 8: $(stats "$work/rj")"
	done
}

for sc in $SCENARIOS; do
	case $sc in
	tree-* | noop-* | jobs-*) shapes=$SHAPE ;;
	*) shapes=- ;;
	esac
	for sh in $shapes; do
		case $sh in
		- | checkout | random) ;;
		*) echo "copy.sh: unknown shape $sh (want checkout or random)" >&2; exit 2 ;;
		esac
		case $sc in
		tree-shm) gen_tree "$SHM/$sh/src" "$sh" >/dev/null; versus "$(shape_name "$sh") on /dev/shm (tmpfs)" "$SHM/$sh" 0 ;;
		tree-disk) gen_tree "$DISK/$sh/src" "$sh" >/dev/null; versus "$(shape_name "$sh") on disk ($DISK, writeback-bound)" "$DISK/$sh" 1 ;;
		large-shm) gen_large "$SHM/large/src" >/dev/null; versus "$LARGE_N large files of $LARGE_SIZE on /dev/shm (tmpfs)" "$SHM/large" 0; rm -rf "$SHM/large" ;;
		large-disk) gen_large "$DISK/large/src" >/dev/null; versus "$LARGE_N large files of $LARGE_SIZE on disk ($DISK)" "$DISK/large" 1; rm -rf "$DISK/large" ;;
		noop-shm) gen_tree "$SHM/$sh/src" "$sh" >/dev/null; noop "no-op re-copy of the unchanged $(shape_name "$sh") on /dev/shm (tmpfs)" "$SHM/$sh" 0 ;;
		noop-disk) gen_tree "$DISK/$sh/src" "$sh" >/dev/null; noop "no-op re-copy of the unchanged $(shape_name "$sh") on disk ($DISK)" "$DISK/$sh" 0 ;;
		jobs-shm) gen_tree "$SHM/$sh/src" "$sh" >/dev/null; jobs "worker count, $(shape_name "$sh") on /dev/shm (tmpfs)" "$SHM/$sh" 0 ;;
		jobs-disk) gen_tree "$DISK/$sh/src" "$sh" >/dev/null; jobs "worker count, $(shape_name "$sh") on disk ($DISK)" "$DISK/$sh" 1 ;;
		*) echo "copy.sh: unknown scenario $sc" >&2; exit 2 ;;
		esac
	done
done
