#!/usr/bin/env bash
# bench/image.sh — the offline image of this repository itself.
#
# Measures, in one run (warm page cache, said so; the machine is shared):
#   1. stage:    sprintkit image --out BOX (with the report, i.e. the whole
#                test suite once with coverage, and 3 cross-built binaries)
#   2. re-stage: the same command on the unchanged image (must be <= 10%)
#   3. setup:    N interleaved pairs (default 5), destination and module
#                cache recreated before every run:
#                  A = sprintkit setup --from-image BOX --clone-only, GOPROXY=off
#                  B = sprintkit setup http://127.0.0.1:PORT/sprintkit.git --clone-only
#                      then go mod download from file://BOX/gomod/cache/download
#                both followed by `go list -deps -test ./...` (every test
#                dependency resolved and extracted: ready to run the tests);
#                prints the median A/B ratio with min and max.
#   4. FULL=1 also times one pair of complete setups (with the baseline test
#      run): setup --from-image vs setup URL with GOPROXY=file://BOX/...
#
# Usage: bench/image.sh            (N=5 pairs; PLATFORMS=... to change the cross-builds)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-5}
PLATFORMS=${PLATFORMS:-linux/amd64,darwin/arm64,windows/amd64}
T=$(mktemp -d /tmp/sprintkit-bench-image.XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  chmod -R u+w "$T" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

echo "bench/image.sh: workdir $T; $(nproc) cores; warm page cache"
# The organiser's checkout: a clone of this repository's HEAD, whose origin
# is the public upstream. sprintkit is built from it (so it can cross-build
# itself from that source).
git clone -q "$ROOT" "$T/src"
git -C "$T/src" remote set-url origin https://github.com/sprintkit/sprintkit.git
(cd "$T/src" && go build -o "$T/bin/sprintkit" ./cmd/sprintkit)
# gitserve (the smart-HTTP git server on loopback) from the working tree.
(cd "$ROOT" && go build -o "$T/bin/gitserve" ./bench/gitserve)
SK="$T/bin/sprintkit"
echo "project: $(git -C "$T/src" rev-parse --short HEAD), $(git -C "$T/src" ls-files | wc -l) tracked files"

# The organiser's own module cache is the shared one; the private staging
# cache is fresh (XDG_CACHE_HOME), so the first staging really downloads.
export XDG_CACHE_HOME="$T/xdg"
export GIT_OPTIONAL_LOCKS=0

cd "$T/src"
t0=$(now)
"$SK" image --out "$T/box" --platforms "$PLATFORMS" --format json > "$T/stage1.json" 2> "$T/stage1.err" || { cat "$T/stage1.err"; exit 1; }
t1=$(now)
"$SK" image --out "$T/box" --platforms "$PLATFORMS" --format json > "$T/stage2.json" 2> "$T/stage2.err" || { cat "$T/stage2.err"; exit 1; }
t2=$(now)
stage=$(secs "$t0" "$t1"); restage=$(secs "$t1" "$t2")
python3 - "$T/stage1.json" "$T/stage2.json" "$stage" "$restage" <<'EOF'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
s, r = float(sys.argv[3]), float(sys.argv[4])
m = a["manifest"]
print(f"image: {m['total_files']} files, {m['total_bytes']/2**20:.1f} MiB, {len(m['modules'])} modules, platforms {','.join(m['platforms']) or '-'}")
steps = lambda d: ", ".join(f"{k} {v:.1f}s" for k, v in sorted(d["step_seconds"].items()))
print(f"stage:    {s:.2f} s  ({steps(a)}); tests {a['tests_passed']} passed, {a['tests_failed']} failed")
print(f"re-stage: {r:.2f} s  ({steps(b)}); copied repo {b['repo']['Files']} + modules {b['modules']['Files']} files, hashed {b['hashed']}")
print(f"re-stage / stage = {100*r/s:.2f}%  (issue 7 asks <= 10%)")
for w in a["warnings"]:
    print("  warning:", w)
EOF
python3 - "$T/box/baseline.json" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
for t in b["tests"]:
    if t["outcome"] == "fail":
        last = [l for l in (t.get("output") or "").splitlines() if l.strip()][-2:]
        print(f"  failing at staging: {t['package']} {t['test']}: {' | '.join(last)[:300]}")
EOF

# A bare copy of the repository served over smart HTTP on loopback.
mkdir -p "$T/srv"
git clone -q --bare "$T/src" "$T/srv/sprintkit.git"
"$T/bin/gitserve" -root "$T/srv" > "$T/url" 2> "$T/gitserve.err" &
SERVER_PID=$!
for _ in $(seq 50); do [ -s "$T/url" ] && break; sleep 0.1; done
URL="$(head -1 "$T/url")/sprintkit.git"
PROXY="file://$T/box/gomod/cache/download"

run_a() {
  rm -rf "$T/a"; chmod -R u+w "$T/a-cache" 2>/dev/null || true; rm -rf "$T/a-cache"
  GOPROXY=off GOMODCACHE="$T/a-cache" "$SK" setup --from-image "$T/box" --dir "$T/a" --clone-only --format json > "$T/a.$1.json" 2> "$T/a.err" || { cat "$T/a.err"; exit 1; }
  (cd "$T/a" && . .sprintkit/env && go list -deps -test ./... > /dev/null)
}
run_b() {
  rm -rf "$T/b"; chmod -R u+w "$T/b-cache" 2>/dev/null || true; rm -rf "$T/b-cache"
  GOPROXY="$PROXY" GOMODCACHE="$T/b-cache" "$SK" setup "$URL" --dir "$T/b" --clone-only > /dev/null 2> "$T/b.err" || { cat "$T/b.err"; exit 1; }
  (cd "$T/b" && GOPROXY="$PROXY" GOMODCACHE="$T/b-cache" GOFLAGS=-mod=mod GOSUMDB=off go mod download && \
     GOPROXY="$PROXY" GOMODCACHE="$T/b-cache" GOFLAGS=-mod=mod GOSUMDB=off go list -deps -test ./... > /dev/null)
}

ratios=()
as=(); bs=()
for i in $(seq "$N"); do
  s=$(now); run_a "$i"; e=$(now); a=$(secs "$s" "$e")
  s=$(now); run_b; e=$(now); b=$(secs "$s" "$e")
  as+=("$a"); bs+=("$b")
  ratios+=("$(python3 -c "print($a / $b)")")
  echo "pair $i: from-image $a s, http clone + go mod download $b s"
done
python3 - "${ratios[*]}" "${as[*]}" "${bs[*]}" <<'EOF'
import statistics, sys
r = [float(x) for x in sys.argv[1].split()]
a = [float(x) for x in sys.argv[2].split()]
b = [float(x) for x in sys.argv[3].split()]
print(f"setup to ready-to-test (median of {len(r)} interleaved pairs): from-image {statistics.median(a):.2f} s, "
      f"http clone + go mod download {statistics.median(b):.2f} s")
print(f"from-image / (http clone + go mod download) = {statistics.median(r):.2f}x  (min {min(r):.2f}, max {max(r):.2f})")
EOF
python3 - "$T"/a.*.json <<'EOF'
import json, statistics, sys
runs = [json.load(open(p))["step_seconds"] for p in sys.argv[1:]]
keys = ["toolchain", "verify", "repo", "modules", "env", "resolve"]
print("from-image steps (median s): " + ", ".join(f"{k} {statistics.median(r.get(k, 0) for r in runs):.2f}" for k in keys))
EOF

if [ "${FULL:-0}" = 1 ]; then
  rm -rf "$T/a" "$T/a-cache" "$T/b" "$T/b-cache"
  s=$(now)
  GOPROXY=off GOMODCACHE="$T/a-cache" "$SK" setup --from-image "$T/box" --dir "$T/a" > "$T/afull.out" 2>&1 || true
  e=$(now); a=$(secs "$s" "$e")
  s=$(now)
  GOPROXY="$PROXY" GOSUMDB=off GOMODCACHE="$T/b-cache" "$SK" setup "$URL" --dir "$T/b" > "$T/bfull.out" 2>&1 || true
  e=$(now); b=$(secs "$s" "$e")
  echo "full setup with the baseline test run (one pair, noisy): from-image $a s, http clone + deps $b s"
  grep -h "baseline" "$T/afull.out" | head -2 || true
fi
