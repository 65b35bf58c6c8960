#!/usr/bin/env bash
# What to run on the GPU machine, in one call, after scripts/device-pack.sh prepared .device/ here:
#   device tool: run(command="scripts/device-run.sh", carry=[".device"], timeout_s=600)
# It unpacks the carried JRE, then
#   1. scripts/validate-nvidia.sh --load (60 s, exporter vs nvidia-smi, PyTorch load on GPU 0)
#      -> $OUT/nvidia-<model>.md, e.g. nvidia-h100.md or nvidia-h200.md after GPU 0's name (copy it to
#         docs/validation/ after reading it)
#   2. the raw C cost of one tick (bench/native/nvml_tick_cost) against the real libnvidia-ml.so.1, for up to 8
#      GPUs: back to back (as JMH), at 100 ms spacing (GPM metrics diffed every tick), and per NVML function
#      (--by-function: calls per tick, p50/p99 per call, share of the tick), and the background read's calls
#      with each perf-policy field's value and driver latency (--background)                 -> $OUT/tick-cost.txt
#   3. the JMH TickBenchmark against the same library                          -> $OUT/jmh-tick.txt, .json
# plus nvidia-smi -q and the raw validation data. $OUT takes at most 8 files. Without $OUT (a dry run of this
# script elsewhere), the results go to tmp/device-out/. Every command that asks the driver has a time limit, and each
# step its own (about 600 s if every one of them ran out, 250 s in a normal run), so that one that hangs leaves the
# others' results, written as they come; the machine's facts are saved first, and a JRE that does not run there skips
# the two Java steps only.
#
# Rehearsal without a GPU, the whole run on the C test double and the nvidia-smi stand-in (the report is titled a
# dry run and named nvml-double-rehearsal.md):
#   scripts/device-pack.sh && NVML_DOUBLE_DEVICES=8 NVML_DOUBLE_LOAD=1 scripts/device-run.sh --rehearse
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${OUT:-$root/tmp/device-out}
mkdir -p "$out"
log() { echo "== $*" | tee -a "$out/device-run.log"; }
[ -f .device/jre.tar.gz ] || { echo "no .device/jre.tar.gz: run scripts/device-pack.sh first and carry .device" >&2; exit 1; }

{
  echo "kernel $(uname -r), $(ldd --version 2>&1 | head -1), gcc: $(command -v gcc || echo none), python3 $(python3 -V 2>&1)"
} | tee -a "$out/device-run.log"
[ "${1:-}" = --rehearse ] || timeout -k 5 20 nvidia-smi -q >"$out/nvidia-smi-q.txt" 2>&1 || true

rm -rf /tmp/acceltel-jre /tmp/acceltel-app && mkdir -p /tmp/acceltel-jre
tar -xzf .device/jre.tar.gz -C /tmp/acceltel-jre
java=/tmp/acceltel-jre/jre/bin/java
python3 scripts/device_bundle.py unpack --bundle .device/app.tar.xz --to /tmp/acceltel-app >>"$out/device-run.log"
app=/tmp/acceltel-app
java_runs=1
"$java" -version >>"$out/device-run.log" 2>&1 || { java_runs=0; log "the carried JRE does not run here: steps 1 and 3 are skipped"; }

if [ "${1:-}" = --rehearse ]; then
  lib=$root/exporters/target/native/libnvml_double.so
  [ -x bench/native/target/nvml_tick_cost ] || timeout 45 bench/native/build.sh >/dev/null
  smi=(bench/native/target/nvml_tick_cost --smi-standin "$lib")
  gpus=${NVML_DOUBLE_DEVICES:-8}
  report=$out/nvml-double-rehearsal.md
else
  lib=$(ldconfig -p 2>/dev/null | awk '/libnvidia-ml\.so\.1 / && /x86-64/ {print $NF; exit}')
  # else the copy the system's loader itself picks (the driver may sit on a mount outside ldconfig's cache)
  [ -n "$lib" ] || lib=$(python3 -c 'import ctypes; ctypes.CDLL("libnvidia-ml.so.1"); print(open("/proc/self/maps").read())' \
    2>/dev/null | grep -m1 -o '/[^ ]*libnvidia-ml\.so[^ ]*')
  # else any 64-bit copy (byte 5 of an ELF header is 2 for 64-bit; a 32-bit one would not load)
  [ -n "$lib" ] || lib=$(timeout 15 find /usr/local/nvidia /usr/lib /usr/lib64 /lib -name 'libnvidia-ml.so.1' 2>/dev/null \
    | while read -r f; do [ "$(head -c5 "$f" | tail -c1 | od -An -tu1 | tr -d ' ')" = 2 ] && { echo "$f"; break; }; done)
  [ -n "$lib" ] || { echo "libnvidia-ml.so.1 not found (ldconfig -p, the loader, /usr/local/nvidia, /usr/lib)" >&2; exit 1; }
  smi=(nvidia-smi)
  gpus=$(timeout -k 2 10 nvidia-smi -L 2>/dev/null | grep -c '^GPU ' || true)
  report=$out/nvidia-$(timeout -k 2 10 scripts/gpu-model-slug.sh || echo unknown).md
fi
[ -f "$lib" ] || { echo "no $lib" >&2; exit 1; }
n=$(( gpus < 8 ? gpus : 8 )); [ "$n" -ge 1 ] || n=8
log "library $lib, $gpus GPU(s), using $n, report $(basename "$report")"

raw=/tmp/acceltel-validation
rm -rf "$raw"
if [ "$java_runs" = 1 ]; then
  log "1. validation against nvidia-smi (60 s, --load; at most 200 s)"
  timeout -k 10 200 scripts/validate-nvidia.sh --java "$java" --jar "$app/acceltel.jar" --nvml-library "$lib" \
    --duration 60 --load --smi "${smi[*]}" --out "$report" --keep "$raw" 2>&1 | tee -a "$out/device-run.log"
  tar -C /tmp -czf "$out/validation-raw.tar.gz" acceltel-validation 2>/dev/null || true
fi

log "2. raw C cost of one tick"
bin=.device/nvml_tick_cost
chmod +x "$bin" 2>/dev/null || true
if command -v gcc >/dev/null && timeout 45 bench/native/build.sh /tmp/bench-native >/dev/null 2>&1; then
  bin=/tmp/bench-native/nvml_tick_cost
fi
{
  echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC') $(hostname), binary $bin"
  echo "## back to back (as the JMH benchmark), $n GPU(s)"
  timeout -k 5 40 "$bin" "$lib" --devices "$n" --ticks 2000 --warmup 20
  echo "## 100 ms apart (GPM diffed every tick, as at 1 Hz), $n GPU(s)"
  timeout -k 5 40 "$bin" "$lib" --devices "$n" --ticks 100 --warmup 3 --interval-ms 100
  echo "## where the time goes: every call timed on its own, 100 ms apart, $n GPU(s)"
  timeout -k 5 40 "$bin" "$lib" --devices "$n" --ticks 100 --warmup 3 --interval-ms 100 --by-function
  echo "## the background read (energy counter, perf-policy throttle-time fields), off the tick's path, $n GPU(s)"
  timeout -k 5 40 "$bin" "$lib" --devices "$n" --background 20 --interval-ms 100
} >"$out/tick-cost.txt" 2>&1
cat "$out/tick-cost.txt" | tee -a "$out/device-run.log"

if [ "$java_runs" = 1 ]; then
  log "3. JMH TickBenchmark against $lib (at most 100 s)"
  # the shaded benchmarks.jar does not fit the carry limit: the same classes from acceltel.jar + the bench jars
  timeout -k 5 100 "$java" -Dacceltel.nvml.double="$lib" -cp "$app/acceltel.jar:$app/bench/*" org.openjdk.jmh.Main \
    TickBenchmark -rf json -rff "$out/jmh-tick.json" >"$out/jmh-tick.txt" 2>&1
  tail -8 "$out/jmh-tick.txt" | tee -a "$out/device-run.log"
fi
log "done: $(ls "$out" | tr '\n' ' ')"
