#!/usr/bin/env bash
# bench/firsttest.sh — time to first test from an image, on a mid-size module.
#
# The module: bench/genmod (100 packages, 2,000 tests that do real work,
# five real module dependencies), generated with no network: GOPROXY is
# this machine's own module cache (file://$(go env GOMODCACHE)/cache/download),
# which holds the versions sprintkit's go.sum names.
#
# 1. The organiser stages the image once: sprintkit image --out BOX (the
#    baseline test run fills a fresh build cache, shipped as gocache/).
# 2. N rounds (default 3), each in turn, every run with an EMPTY GOMODCACHE,
#    an EMPTY GOCACHE, GOPROXY=off and a new destination:
#      A = sprintkit setup --from-image BOX                   (build cache seeded)
#      B = sprintkit setup --from-image BOX --no-build-cache  (everything compiled)
#      P = the plain peer: git clone BOX/repo, go mod download from
#          file://BOX/gomod/cache/download, go test ./... (no coverage)
#    and prints the median of the A/B ratios with min and max, the medians
#    of each, their CPU time (user + sys of every process, from
#    /usr/bin/time: less sensitive to the other work on a shared machine;
#    CPU / cores is what the wall time would be with the cores to itself
#    and perfect parallelism), and setup's step breakdown from --format json.
#
# Warm page cache, said so; the machine is shared, so absolute figures move.
# Usage: bench/firsttest.sh            (N=3 rounds)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-3}
T=$(mktemp -d /tmp/sprintkit-bench-firsttest.XXXXXX)
cleanup() {
  chmod -R u+w "$T" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
LOCALPROXY="file://$(go env GOMODCACHE)/cache/download"

echo "bench/firsttest.sh: workdir $T; $(nproc) cores; $(go env GOVERSION); warm page cache; load $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$ROOT" && go build -o "$T/bin/sprintkit" ./cmd/sprintkit)
SK="$T/bin/sprintkit"
(cd "$ROOT" && GOFLAGS=-mod=mod GOPROXY="$LOCALPROXY" GOSUMDB=off GOMODCACHE="$T/genmod-modcache" \
  go run ./bench/genmod -o "$T/src")
echo "module: $(find "$T/src" -name '*.go' | wc -l) Go files, $(grep -c '^func Test' -r "$T/src" --include='*_test.go' | awk -F: '{s+=$2} END {print s}') tests; requires $(grep -c '^	' "$T/src/go.mod") modules"

# The organiser: a private staging cache (XDG_CACHE_HOME), modules from the
# local proxy.
export XDG_CACHE_HOME="$T/xdg"
export GIT_OPTIONAL_LOCKS=0
t0=$(now)
(cd "$T/src" && GOPROXY="$LOCALPROXY" GOSUMDB=off GOMODCACHE="$T/organiser-modcache" \
  "$SK" image --out "$T/box" --format json > "$T/stage.json" 2> "$T/stage.err") || { cat "$T/stage.err"; exit 1; }
t1=$(now)
python3 - "$T/stage.json" "$(secs "$t0" "$t1")" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
m = a["manifest"]
bc = m.get("build_cache")
print(f"stage: {float(sys.argv[2]):.1f} s; image {m['total_files']} files, {m['total_bytes']/2**20:.1f} MiB; "
      f"tests {a['tests_passed']} passed, {a['tests_failed']} failed; steps " +
      ", ".join(f"{k} {v:.1f}s" for k, v in sorted(a["step_seconds"].items())))
if bc:
    print(f"build cache in the image: {bc['entries']} entries for {bc['go_version']} {bc['goos']}/{bc['goarch']}, flags {' '.join(bc['flags'])}")
else:
    print("build cache in the image: none")
for w in a["warnings"]:
    print("  warning:", w)
EOF
du -sh "$T/box/gocache" 2>/dev/null | awk '{print "gocache/ size: " $1}' || true

fresh() { chmod -R u+w "$T/$1"* 2>/dev/null || true; rm -rf "$T/$1" "$T/$1-mod" "$T/$1-cache"; }
run_setup() { # name, extra flags...
  local name=$1; shift
  fresh "$name"
  GOPROXY=off GOMODCACHE="$T/$name-mod" GOCACHE="$T/$name-cache" \
    /usr/bin/time -f '%U %S' -o "$T/$name.$i.time" "$SK" setup --from-image "$T/box" --dir "$T/$name" --format json "$@" > "$T/$name.$i.json" 2> "$T/$name.err" \
    || { cat "$T/$name.err"; tail -c 2000 "$T/$name.$i.json"; exit 1; }
}
run_peer() {
  fresh p
  git clone -q "$T/box/repo" "$T/p"
  (cd "$T/p" && export GOPROXY="file://$T/box/gomod/cache/download,off" GOMODCACHE="$T/p-mod" GOCACHE="$T/p-cache" \
     GOFLAGS=-mod=mod GONOSUMDB='*' GOSUMDB=off && go mod download && \
     /usr/bin/time -f '%U %S' -o "$T/p.$i.time" go test ./... > "$T/p.out" 2>&1) \
     || { tail -20 "$T/p.out"; exit 1; }
}

as=(); bs=(); ps=(); ratios=()
for i in $(seq "$N"); do
  s=$(now); run_setup a; e=$(now); a=$(secs "$s" "$e")
  s=$(now); run_setup b --no-build-cache; e=$(now); b=$(secs "$s" "$e")
  s=$(now); run_peer; e=$(now); p=$(secs "$s" "$e")
  as+=("$a"); bs+=("$b"); ps+=("$p")
  ratios+=("$(python3 -c "print($a / $b)")")
  echo "round $i: from-image with build cache $a s, without $b s, plain clone + go test $p s  (load $(cut -d' ' -f1-3 /proc/loadavg))"
done
python3 - "${ratios[*]}" "${as[*]}" "${bs[*]}" "${ps[*]}" "$T" "$N" <<'EOF'
import json, statistics, sys
r, a, b, p = ([float(x) for x in sys.argv[i].split()] for i in range(1, 5))
T, n = sys.argv[5], int(sys.argv[6])
med = statistics.median
print(f"setup --from-image to a finished baseline (median of {n} rounds): with the build cache {med(a):.1f} s "
      f"(min {min(a):.1f}, max {max(a):.1f}), without {med(b):.1f} s (min {min(b):.1f}, max {max(b):.1f}); "
      f"plain clone + go mod download + go test ./... {med(p):.1f} s")
print(f"with / without the build cache = {med(r):.2f}x  (min {min(r):.2f}, max {max(r):.2f})")
import os
cores = os.cpu_count()
for name, label in (("a", "from-image with build cache"), ("b", "from-image without"), ("p", "plain go test ./...")):
    cpu = [sum(float(x) for x in open(f"{T}/{name}.{i}.time").read().split()[-2:]) for i in range(1, n + 1)]
    print(f"CPU time (user+sys), {label}: median {med(cpu):.1f} s (min {min(cpu):.1f}, max {max(cpu):.1f}); / {cores} cores = {med(cpu)/cores:.1f} s")
for name, label in (("a", "with build cache"), ("b", "without")):
    runs = [json.load(open(f"{T}/{name}.{i}.json")) for i in range(1, n + 1)]
    img = lambda k: med(x["image"]["step_seconds"].get(k, 0) for x in runs)
    top = lambda k: med(x["step_seconds"].get(k, 0) for x in runs)
    tst = lambda k: med(x["tests"].get(k, 0) for x in runs)
    t0 = runs[0]
    bc = t0["image"].get("build_cache") or {}
    what = f"{bc.get('added', 0)} entries added" if bc.get("used") else f"not used: {bc.get('reason', '-')}"
    print(f"  {label} (median s): verify {img('verify'):.1f}, repo {img('repo'):.1f}, modules {img('modules'):.1f}, "
          f"buildcache {img('buildcache'):.1f}, resolve {img('resolve'):.1f} | baseline {top('baseline'):.1f} "
          f"= go test building {tst('build_seconds'):.1f} + with tests running {tst('run_seconds'):.1f} | "
          f"rank {top('rank'):.1f}, report {top('report'):.1f}")
    print(f"    tests {t0['tests']['passed']} passed, {t0['tests']['failed']} failed; flags {' '.join(t0['tests'].get('flags') or [])}; build cache {what}")
EOF
