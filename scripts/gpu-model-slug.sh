#!/usr/bin/env bash
# Prints a short file-name slug for GPU 0's model, from nvidia-smi (or a stand-in given as the arguments):
# "NVIDIA H100 80GB HBM3" -> h100, "NVIDIA H200" -> h200, "NVIDIA A100-SXM4-80GB" -> a100. Prints "unknown" when
# nvidia-smi cannot name the GPU.
#   usage: scripts/gpu-model-slug.sh [nvidia-smi command and arguments]   (default: nvidia-smi)
set -uo pipefail
[ $# -gt 0 ] || set -- nvidia-smi
name=$("$@" --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
slug=$(sed -E 's/^ *(NVIDIA|Tesla|GeForce|Quadro) +//I' <<<"$name" \
  | tr 'A-Z' 'a-z' | grep -oE '^[a-z0-9]+' || true)
echo "${slug:-unknown}"
