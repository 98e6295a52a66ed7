#!/usr/bin/env bash
# bench/watch.sh — the watcher and watch-test against their peers:
#
#   latency  write → event, sprintkit's watcher (debounce off) against raw
#            fsnotify, both on the same directory in the same run, on the same
#            writes: median and p99 (N writes)
#   idle     CPU time over SECONDS while watching an idle tree of DIRS
#            directories (getrusage), with inotify, and with polling for scale
#   save     save → first test output of `sprintkit watch-test --json` for a
#            change in one package of a generated 50-package module, against
#            `go test ./...` by hand after the same kind of change;
#            ROUNDS interleaved rounds, the test cache warm for both
#
#   bench/watch.sh                       # everything
#   SCENARIOS="latency idle" bench/watch.sh
#   N=1000 ROUNDS=7 bench/watch.sh
#
# Timings on shared machines are noisy: read the ratios and the min/max.
set -euo pipefail

N=${N:-300}
DIRS=${DIRS:-5000}
SECONDS_IDLE=${SECONDS_IDLE:-10}
ROUNDS=${ROUNDS:-5}
SCENARIOS=${SCENARIOS:-"latency idle save"}

cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/watchbench" ./bench/watchbench
go build -o "$tmp/sprintkit" ./cmd/sprintkit
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(go version | cut -d' ' -f3)"

for s in $SCENARIOS; do
	case $s in
	latency)
		"$tmp/watchbench" latency -n "$N"
		;;
	idle)
		"$tmp/watchbench" idle -dirs "$DIRS" -seconds "$SECONDS_IDLE"
		"$tmp/watchbench" idle -dirs "$DIRS" -seconds "$SECONDS_IDLE" -poll
		;;
	save)
		"$tmp/watchbench" save -sprintkit "$tmp/sprintkit" -rounds "$ROUNDS"
		;;
	*)
		echo "unknown scenario $s" >&2
		exit 2
		;;
	esac
done
