#!/usr/bin/env bash
# bench/clone.sh — wall time and peak memory of sprintkit's clone against
# `git clone --depth 1 --single-branch --no-tags`, both over the same loopback
# smart-HTTP server (bench/gitserve: git http-backend through net/http/cgi),
# interleaved (sprintkit, git, git, sprintkit, ...), a fresh destination
# before every run, caches warm. Prints the median, min and max of the
# per-pair ratios (sprintkit / git; below 1 means sprintkit is faster) and the
# median peak RSS of each (/usr/bin/time -v).
#
# sprintkit runs as a user runs it: `sprintkit setup URL --dir D --clone-only`
# (the machine checks before and after the clone included, no tests).
#
#   bench/clone.sh                     # 7 pairs, destinations on the disk and on /dev/shm
#   PAIRS=5 PLACES=disk bench/clone.sh
#
# The repository is made once by bench/genrepo (10,000 commits, 5,000 files,
# a tag every 500 commits) and kept in $CACHE between runs.
set -euo pipefail

PAIRS=${PAIRS:-7}
PLACES=${PLACES:-"disk shm"}
CACHE=${CACHE:-/var/tmp/sprintkit-bench-clone}
SHM=${SHM:-/dev/shm/sprintkit-bench-clone}
DISK=${DISK:-/var/tmp/sprintkit-bench-clone-dst}

root=$(cd "$(dirname "$0")/.." && pwd)
[ -x /usr/bin/time ] || { echo "clone.sh: /usr/bin/time is not installed (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work" "$SHM" "$DISK"; }
trap cleanup EXIT

(cd "$root" && go build -o "$work/sprintkit" ./cmd/sprintkit && go build -o "$work/genrepo" ./bench/genrepo && go build -o "$work/gitserve" ./bench/gitserve)
mkdir -p "$CACHE/srv"
[ -d "$CACHE/srv/repo.git" ] || "$work/genrepo" -o "$CACHE/srv/repo.git"

"$work/gitserve" -root "$CACHE/srv" >"$work/url" &
server=$!
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url="$(cat "$work/url")/repo.git"
echo "repository: $(git -C "$CACHE/srv/repo.git" rev-list --count HEAD) commits, $(git -C "$CACHE/srv/repo.git" ls-tree -r HEAD | wc -l) files, $(git -C "$CACHE/srv/repo.git" tag | wc -l) tags, served at $url"
echo "machine: $(nproc) cores, $(git --version), $("$work/sprintkit" --version)"

# run NAME DEST CMD... : time one clone into DEST; prints "seconds rss_kib".
run() {
	local dest=$2; shift 2
	rm -rf "$dest"; mkdir -p "$(dirname "$dest")"
	local t0 t1
	t0=$(date +%s.%N)
	/usr/bin/time -v -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
	t1=$(date +%s.%N)
	[ -f "$dest/pkg000/file0000.go" ] || { echo "clone.sh: $dest has no checkout" >&2; exit 1; }
	echo "$(echo "$t1 - $t0" | bc -l) $(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")"
}

median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }

for place in $PLACES; do
	case $place in
	disk) base=$DISK ;;
	shm) base=$SHM ;;
	*) echo "clone.sh: unknown place $place" >&2; exit 2 ;;
	esac
	: >"$work/ratios"; : >"$work/sk"; : >"$work/git"; : >"$work/skrss"; : >"$work/gitrss"
	# One warm-up of each, not counted.
	run warm "$base/warm-sk" "$work/sprintkit" setup "$url" --dir "$base/warm-sk" --clone-only >/dev/null
	run warm "$base/warm-git" git clone -q --depth 1 --single-branch --no-tags "$url" "$base/warm-git" >/dev/null
	for i in $(seq "$PAIRS"); do
		# Alternate which goes first, so neither always runs on a warmer machine.
		if [ $((i % 2)) -eq 1 ]; then order="sk git"; else order="git sk"; fi
		for who in $order; do
			if [ "$who" = sk ]; then
				read -r s rss < <(run sk "$base/sk" "$work/sprintkit" setup "$url" --dir "$base/sk" --clone-only)
				echo "$s" >>"$work/sk"; echo "$rss" >>"$work/skrss"; sk=$s
			else
				read -r s rss < <(run git "$base/git" git clone -q --depth 1 --single-branch --no-tags "$url" "$base/git")
				echo "$s" >>"$work/git"; echo "$rss" >>"$work/gitrss"; g=$s
			fi
		done
		echo "$sk / $g" | bc -l >>"$work/ratios"
		printf '%s pair %d: sprintkit %.3fs, git %.3fs, ratio %.2f\n' "$place" "$i" "$sk" "$g" "$(tail -1 "$work/ratios")"
	done
	printf '%s: median ratio %.2f (min %.2f, max %.2f) over %d pairs; median sprintkit %ss, git %ss; median peak RSS sprintkit %d MiB, git %d MiB\n' \
		"$place" "$(median <"$work/ratios")" "$(sort -g "$work/ratios" | head -1)" "$(sort -g "$work/ratios" | tail -1)" "$PAIRS" \
		"$(median <"$work/sk")" "$(median <"$work/git")" \
		"$(( $(median <"$work/skrss" | cut -d. -f1) / 1024 ))" "$(( $(median <"$work/gitrss" | cut -d. -f1) / 1024 ))"
done
