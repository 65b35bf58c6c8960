#!/usr/bin/env bash
# Prepares .device/ HERE (a machine with a JDK and Maven) for scripts/device-run.sh on a GPU machine that has no
# Java: builds, makes a small JRE with ../shared/tools/device-jre.sh (jre.tar.gz), packs the exporter and the JMH
# benchmark classpath into app.tar.xz (scripts/device_bundle.py: the fat jars are far over the carry limit as they
# are), and copies the prebuilt C cost program and the C sources. .device/ is git-ignored; the device tool carries
# it with `carry: [".device"]`. Packing takes a minute or two (xz).
#   usage: scripts/device-pack.sh [--no-build]
# Everything that travels (the working tree plus .device/) must stay under 64 MiB; this prints both sizes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ "${1:-}" != --no-build ]; then
  flock /tmp/acceltel-mvn.lock mvn -B -q -o install -DskipTests
fi
bench/native/build.sh >/dev/null
jre_tool=${DEVICE_JRE_TOOL:-$root/../shared/tools/device-jre.sh}
[ -x "$jre_tool" ] || jre_tool=/work/shared/tools/device-jre.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# the default module set of device-jre.sh (its jdeps mode reads the shaded jars' split-package warnings as
# module names, so the jars are not passed)
"$jre_tool" "$tmp/jre"
rm -rf .device
mkdir -p .device/src
tar -C "$tmp" -czf .device/jre.tar.gz jre
m2=${MAVEN_REPO:-$HOME/.m2/repository}
bench_jars=(bench/target/acceltel-bench-*.jar
  "$m2"/org/openjdk/jmh/jmh-core/1.37/jmh-core-1.37.jar
  "$m2"/net/sf/jopt-simple/jopt-simple/5.0.4/jopt-simple-5.0.4.jar
  "$m2"/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar)
for j in "${bench_jars[@]}"; do [ -f "$j" ] || { echo "missing $j (JMH's classpath)" >&2; exit 1; }; done
python3 scripts/device_bundle.py pack --jar launcher/target/acceltel.jar --bench "${bench_jars[@]}" \
  --out .device/app.tar.xz
cp bench/native/target/nvml_tick_cost .device/          # used when the GPU machine has no C compiler
cp bench/native/nvml_tick_cost.c bench/native/build.sh .device/src/
device_bytes=$(du -sb .device | cut -f1)
tree_bytes=$(git ls-files -z -co --exclude-standard | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
total=$((device_bytes + tree_bytes))
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
echo ".device/: $(mib "$device_bytes") MiB ($(ls .device | tr '\n' ' '))"
echo "working tree that travels: $(mib "$tree_bytes") MiB"
echo "total: $(mib "$total") MiB of 64 MiB"
if [ "$total" -ge $((64 * 1024 * 1024)) ]; then
  echo "over the 64 MiB the device tool carries: shrink .device/" >&2
  exit 1
fi
