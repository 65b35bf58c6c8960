#!/usr/bin/env bash
# Builds the C test doubles of the native device libraries into the directory given as $1.
set -euo pipefail
out=${1:?usage: build.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
command -v gcc >/dev/null || { echo "gcc is needed to build the NVML test double: apt-get install gcc" >&2; exit 1; }

# build SOURCE LIBRARY [-DVARIANT]: compiles the source into the library unless the library is newer.
build() {
  local src=$1 lib=$2
  shift 2
  if [ ! -f "$lib" ] || [ "$src" -nt "$lib" ]; then
    gcc -shared -fPIC -O2 -Wall -Wextra "$@" -o "$lib" "$src" -lpthread
  fi
}

for src in "$here"/*.c; do
  [ -e "$src" ] || continue
  build "$src" "$out/lib$(basename "$src" .c).so"
done
# The DCMI double as an older Ascend driver, which lacks the v2 calls.
build "$here/dcmi_double.c" "$out/libdcmi_double_old.so" -DDCMI_DOUBLE_OLD_DRIVER
# The NVML double as a driver from before R535, which lacks nvmlDeviceGetCurrentClocksEventReasons.
build "$here/nvml_double.c" "$out/libnvml_double_r525.so" -DNVML_DOUBLE_BEFORE_R535
