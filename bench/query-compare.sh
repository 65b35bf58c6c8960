#!/usr/bin/env bash
# Dashboard-query latency: the aggregator vs Prometheus vs VictoriaMetrics, loaded with the same data through
# remote_write in the same run (io.acceltel.bench.QueryCompare). Installs Debian's prometheus and
# victoria-metrics when absent. Heavy with the defaults (1,000 GPUs, 7 days at 1 s: hours of loading, tens of GB
# of disk); a quick run: bench/query-compare.sh --gpus=100 --days=1 --long-interval=15s --runs=5
#   usage: bench/query-compare.sh [--gpus=1000] [--days=7] [--long-interval=1s] [--runs=10] [--warmups=10]
#          [--peer-warmups=N] [--skip=victoria-metrics] [--only=per-node,energy] [--window=1h]
#          [--cache-settled=true]   (wait until the data is older than the result caches' recent 5 minutes)
#          [--live=true]            (keep writing every series once a second; every request ends now)
#          [--nocache=false]        (time only the servers as they run, not also with their result caches off)
#   (docs/benchmarks.md uses --warmups=200: the aggregator's JIT needs that many queries of a shape to settle)
# Writes the table to bench/target/query-compare.md; copy it with the machine and date into docs/benchmarks.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
need=()
[ -x /usr/bin/prometheus ] || need+=(prometheus)
[ -x /usr/bin/victoria-metrics ] || need+=(victoria-metrics)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
jar="$root/bench/target/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root" -name '*.java' -newer "$jar" -print -quit)" ]; then
  (cd "$root" && mvn -B -q -DskipTests install -pl bench,launcher -am)
fi
cd "$root"
# The aggregator runs as its own process, like the peers, with the heap settings the README recommends for
# production (fixed and pre-touched); this JVM only loads the data and times the queries.
heap=${ACCELTEL_BENCH_HEAP:-16g}
exec java -Xmx4g -cp "$jar" io.acceltel.bench.QueryCompare --aggregator-heap="$heap" \
  --acceltel-jar="$root/launcher/target/acceltel.jar" "$@"
