#!/usr/bin/env bash
# Builds bench/native's C programs into bench/native/target/ (or the directory given as $1).
#   nvml_tick_cost: the raw C cost of one exporter tick, and the nvidia-smi stand-in (see its header)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/target}
mkdir -p "$out"
command -v gcc >/dev/null || { echo "gcc is needed to build $here/nvml_tick_cost.c" >&2; exit 1; }
gcc -O2 -Wall -Wextra -o "$out/nvml_tick_cost" "$here/nvml_tick_cost.c" -ldl
echo "built $out/nvml_tick_cost"
