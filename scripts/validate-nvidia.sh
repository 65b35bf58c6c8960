#!/usr/bin/env bash
# Validates the acceltel exporter against nvidia-smi on a machine with NVIDIA GPUs: runs the exporter at 1 Hz
# (--devices=nvml), nvidia-smi's CSV query loop alongside, scrapes /metrics every second, and writes a markdown
# report comparing the two per metric (scripts/compare_validation.py). See docs/validation/README.md.
#
#   scripts/validate-nvidia.sh [--java PATH] [--jar PATH] [--nvml-library PATH] [--duration S] [--out FILE]
#                              [--load] [--smi "COMMAND"] [--port N] [--keep DIR]
#
#   --java          java to run the exporter with (default: $JAVA, else java on the PATH)
#   --jar           launcher jar (default: launcher/target/acceltel.jar)
#   --nvml-library  libnvidia-ml.so.1 to use (default: the system's)
#   --duration      seconds to compare (default 60)
#   --out           report (default docs/validation/nvidia-<model>.md, e.g. nvidia-h100.md, from GPU 0's name)
#   --load          run scripts/gpu_load.py on GPU 0 (20 s busy / 5 s idle) during the run; without PyTorch it
#                   says so and the run goes on without load
#   --smi           the nvidia-smi command (default nvidia-smi). It is run as
#                   `$SMI --help-query-gpu` and `$SMI --query-gpu=... --format=csv,nounits -lms 1000`.
#   --keep DIR      keep the raw data (exporter log, scrapes, nvidia-smi CSV) in DIR
#
# Dry run without a GPU, against the C test double and the nvidia-smi stand-in (the report is titled as such):
#   NVML_DOUBLE_DEVICES=8 NVML_DOUBLE_LOAD=1 scripts/validate-nvidia.sh \
#     --nvml-library exporters/target/native/libnvml_double.so \
#     --smi "bench/native/target/nvml_tick_cost --smi-standin exporters/target/native/libnvml_double.so" \
#     --out docs/validation/nvml-double-dry-run.md
set -euo pipefail
# The checks below go to 127.0.0.1: a proxy set in the environment must not take them.
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
root=$(cd "$(dirname "$0")/.." && pwd)
java=${JAVA:-java}
jar=$root/launcher/target/acceltel.jar
library=
duration=60
out=
load=0
smi=nvidia-smi
port=$((20000 + RANDOM % 20000))
keep=
while [ $# -gt 0 ]; do
  case $1 in
    --java) java=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --nvml-library) library=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --load) load=1; shift ;;
    --smi) smi=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

dry_run=0
case "$library" in *nvml_double*) dry_run=1 ;; esac
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }
[ -f "$jar" ] || { echo "no $jar: build with mvn -B install -DskipTests, or pass --jar" >&2; exit 1; }
read -r -a smi_cmd <<<"$smi"
# the report is named after the GPU it validates, so an H200's numbers never pass for an H100's
[ -n "$out" ] || out=$root/docs/validation/nvidia-$("$root/scripts/gpu-model-slug.sh" "${smi_cmd[@]}").md
case "$(basename "$out")" in
  nvidia-*.md)
    if [ "$dry_run" = 1 ]; then
      echo "refusing to write $out from the test double: nvidia-<model>.md files hold real GPU numbers only; pass --out" >&2
      exit 2
    fi ;;
esac

work=${keep:-$(mktemp -d)}
mkdir -p "$work" "$(dirname "$out")"
pids=()
# A child that exited is a zombie until waited for, which kill -0 still finds.
running() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -c1)" != Z ]; }
# TERM, then KILL after 10 s: a JVM or an NVML call that hangs on the way out must not cost the report.
stop_children() {
  local pid alive
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    alive=0
    for pid in ${pids[@]+"${pids[@]}"}; do ! running "$pid" || alive=1; done
    [ "$alive" = 1 ] || break
    sleep 0.1
  done
  for pid in ${pids[@]+"${pids[@]}"}; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_children
  [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# 1. the fields the installed nvidia-smi knows
fields="timestamp,index,uuid,name,driver_version,utilization.gpu,utilization.memory,memory.total,memory.used,\
memory.reserved,power.draw,power.draw.average,power.draw.instant,power.limit,enforced.power.limit,temperature.gpu,\
temperature.memory,clocks.current.sm,clocks.current.memory,clocks.current.graphics,clocks.max.sm,clocks.max.memory,\
pstate,pcie.link.gen.current,pcie.link.gen.max,pcie.link.width.current,pcie.link.width.max,fan.speed,\
clocks_event_reasons.active"
# older drivers know only the old name of these (compare_validation.py reads either)
declare -A older=([pcie.link.gen.current]=pcie.link.gen.gpucurrent
  [clocks_event_reasons.active]=clocks_throttle_reasons.active)
known=$("${smi_cmd[@]}" --help-query-gpu 2>/dev/null | grep -o '"[a-z0-9_.]*"' | tr -d '"' | sort -u || true)
knows() {
  grep -qx "$1" <<<"$known" \
    || { [ -z "$known" ] && "${smi_cmd[@]}" --query-gpu="$1" --format=csv,nounits >/dev/null 2>&1; }
}
accepted=(); dropped=()
for f in ${fields//,/ }; do
  if knows "$f"; then
    accepted+=("$f")
  elif [ -n "${older[$f]:-}" ] && knows "${older[$f]}"; then
    accepted+=("${older[$f]}")
  else
    dropped+=("$f")
  fi
done
query=$(IFS=,; echo "${accepted[*]}")
if ! "${smi_cmd[@]}" --query-gpu="$query" --format=csv,nounits >/dev/null 2>&1; then
  # the help text listed a field the query rejects: probe one by one
  accepted2=()
  for f in ${accepted[@]+"${accepted[@]}"}; do
    if "${smi_cmd[@]}" --query-gpu="$f" --format=csv,nounits >/dev/null 2>&1; then accepted2+=("$f"); else dropped+=("$f"); fi
  done
  query=$(IFS=,; echo "${accepted2[*]:-}")
fi
[ ${#dropped[@]} -eq 0 ] || echo "nvidia-smi rejects: ${dropped[*]} (left out)" >&2

# 2. the exporter
exporter=("$java" -jar "$jar" exporter --devices=nvml --listen="127.0.0.1:$port" --interval=1s)
[ -z "$library" ] || exporter+=(--nvml-library="$library")
"${exporter[@]}" >"$work/exporter.log" 2>&1 &
pids+=($!)
ready=0
for _ in $(seq 1 300); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/readyz', timeout=1)" \
      2>/dev/null; then ready=1; break; fi
  kill -0 "${pids[0]}" 2>/dev/null || break
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "the exporter did not become ready:" >&2; cat "$work/exporter.log" >&2; exit 1
fi

# 3. the load, nvidia-smi and the scrapes, side by side
load_note=none
if [ "$dry_run" = 1 ] && [ "${NVML_DOUBLE_LOAD:-}" = 1 ]; then
  load_note="the test double's NVML_DOUBLE_LOAD=1: every GPU 20 s busy / 5 s idle, shifted 3 s per GPU index"
fi
if [ "$load" = 1 ]; then
  python3 "$root/scripts/gpu_load.py" --busy 20 --idle 5 --duration "$((duration + 5))" --device 0 \
    >"$work/load.log" 2>&1 &
  pids+=($!)
  # importing PyTorch and starting CUDA on a fresh machine can take half a minute: the window starts with the load
  for _ in $(seq 1 900); do
    grep -q "^gpu_load:" "$work/load.log" 2>/dev/null && break
    running "${pids[${#pids[@]}-1]}" || break
    sleep 0.1
  done
  load_note="scripts/gpu_load.py on GPU 0, 20 s busy / 5 s idle: $(grep -m1 '^gpu_load:' "$work/load.log" 2>/dev/null \
    || echo "it printed nothing: $(tail -1 "$work/load.log" 2>/dev/null)")"
fi
"${smi_cmd[@]}" --query-gpu="$query" --format=csv,nounits -lms 1000 >"$work/smi.csv" 2>"$work/smi.err" &
pids+=($!)
python3 "$root/scripts/compare_validation.py" scrape --url "http://127.0.0.1:$port/metrics" \
  --duration "$duration" --out "$work/scrapes.jsonl"

# 4. the report
stop_children
nvml=$(grep -o 'NVIDIA NVML [0-9.]*' "$work/exporter.log" | head -1 | sed 's/NVIDIA NVML //')
report=(python3 "$root/scripts/compare_validation.py" report --scrapes "$work/scrapes.jsonl" --smi "$work/smi.csv"
  --log "$work/exporter.log" --smi-err "$work/smi.err" --out "$out"
  --meta "date=$(date '+%Y-%m-%d %H:%M:%S %Z')" --meta "host=$(hostname 2>/dev/null || uname -n)" --meta "duration=$duration"
  --meta "nvml=${nvml:-unknown}" --meta "load=$load_note"
  --meta "exporter=java -jar $(basename "$jar") ${exporter[*]:3}"
  --meta "smi=$(basename "${smi_cmd[0]}") ${smi_cmd[*]:1} --query-gpu=<fields> --format=csv,nounits -lms 1000"
  --meta "dropped=${dropped[*]:-}")
[ "$dry_run" = 0 ] || report+=(--dry-run)
"${report[@]}"
