#!/usr/bin/env bash
# Checks that bench/native/nvml_tick_cost.c makes exactly the NVML calls of one Java steady-state tick
# (NvmlDeviceReader.read on every device), by comparing the test double's per-function call counters after one
# tick of each. Run from anywhere after `mvn install -DskipTests` (which builds the double and benchmarks.jar).
#   usage: bench/native/check-calls.sh [JAVA]
# Three scenarios: the double's idle defaults (4 GPUs; the sample rings empty, so power falls back to
# nvmlDeviceGetPowerUsage), NVML_DOUBLE_LOAD=1 (3 GPUs; the rings fill, so it does not), and 2 GPUs with the 18
# NVLink links of an SXM board.
# nvmlEventSetWait_v2 is left out: the backend's XID thread calls it, not the tick.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
java=${1:-java}
lib=$root/exporters/target/native/libnvml_double.so
jar=$root/bench/target/benchmarks.jar
[ -f "$lib" ] && [ -f "$jar" ] || { echo "build first: mvn -B -o install -DskipTests" >&2; exit 2; }
"$root/bench/native/build.sh" >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
status=0
check() { # name, env..., -- , c-args
  local name=$1; shift
  local envs=(); while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  env "${envs[@]}" "$root/bench/native/target/nvml_tick_cost" "$lib" --counts --warmup 2 --interval-ms 150 "$@" \
    2>/dev/null | grep -v '^nvmlEventSetWait_v2 ' >"$tmp/$name.c"
  env "${envs[@]}" "$java" -cp "$jar" "$root/bench/native/CallCounts.java" "$lib" ${devices:+$devices} 2>/dev/null \
    | grep -v '^nvmlEventSetWait_v2 ' >"$tmp/$name.java"
  if diff -u "$tmp/$name.java" "$tmp/$name.c" >"$tmp/$name.diff"; then
    echo "OK   $name: $(awk '{s += $2} END {print s}' "$tmp/$name.c") calls per tick, same in C and Java"
  else
    echo "DIFF $name (--- Java, +++ C):"; cat "$tmp/$name.diff"; status=1
  fi
}
devices=4 check idle NVML_DOUBLE_LOAD=0 -- --devices 4
devices="2 18" check nvlink NVML_DOUBLE_LOAD=0 -- --devices 2 --nvlinks 18
devices= check load NVML_DOUBLE_DEVICES=3 NVML_DOUBLE_LOAD=1 --
exit $status
