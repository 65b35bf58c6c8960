#!/usr/bin/env bash
# Builds the C test doubles of the native device libraries into the directory given as $1.
set -euo pipefail
out=${1:?usage: build.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
command -v gcc >/dev/null || { echo "gcc is needed to build the NVML test double: apt-get install gcc" >&2; exit 1; }
for src in "$here"/*.c; do
  [ -e "$src" ] || continue
  name=$(basename "$src" .c)
  if [ ! -f "$out/lib$name.so" ] || [ "$src" -nt "$out/lib$name.so" ]; then
    gcc -shared -fPIC -O2 -Wall -Wextra -o "$out/lib$name.so" "$src" -lpthread
  fi
done
# The DCMI double as an older Ascend driver, which lacks the v2 calls.
if [ ! -f "$out/libdcmi_double_old.so" ] || [ "$here/dcmi_double.c" -nt "$out/libdcmi_double_old.so" ]; then
  gcc -shared -fPIC -O2 -Wall -Wextra -DDCMI_DOUBLE_OLD_DRIVER -o "$out/libdcmi_double_old.so" \
    "$here/dcmi_double.c" -lpthread
fi
# The NVML double as a driver from before R535, which lacks nvmlDeviceGetCurrentClocksEventReasons.
if [ ! -f "$out/libnvml_double_r525.so" ] || [ "$here/nvml_double.c" -nt "$out/libnvml_double_r525.so" ]; then
  gcc -shared -fPIC -O2 -Wall -Wextra -DNVML_DOUBLE_BEFORE_R535 -o "$out/libnvml_double_r525.so" \
    "$here/nvml_double.c" -lpthread
fi
