#!/usr/bin/env bash
# Sends the same remote_write load to acceltel's aggregator, Prometheus 2.42 and VictoriaMetrics 1.79 (Debian
# packages) in one run, then reports each one's throughput and bytes on disk per sample.
#   usage: bench/remote-write-compare.sh [--nodes N] [--seconds S] [--threads T] [--warmup-seconds W] [--rounds R]
# Needs: the built jars (mvn -B -q install -DskipTests), prometheus and victoria-metrics (apt-get install
# prometheus victoria-metrics). Everything listens on loopback and is stopped at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/acceltel-rw-compare.XXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
await() { for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not ready: $1" >&2; exit 1; }

pa=$(free_port); pp=$(free_port); pv=$(free_port)
java -Xms4g -Xmx4g -XX:+AlwaysPreTouch ${RWC_AGGREGATOR_OPTS:-} -jar "$root/launcher/target/acceltel.jar" aggregator --data-dir="$work/acceltel" \
  --listen="127.0.0.1:$pa" >"$work/acceltel.log" 2>&1 & pids+=($!)
echo "global: {}" >"$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
  --web.listen-address="127.0.0.1:$pp" --web.enable-remote-write-receiver >"$work/prometheus.log" 2>&1 & pids+=($!)
victoria-metrics -storageDataPath="$work/vm" -httpListenAddr="127.0.0.1:$pv" -retentionPeriod=100y \
  >"$work/vm.log" 2>&1 & pids+=($!)
await "http://127.0.0.1:$pa/readyz"; await "http://127.0.0.1:$pp/-/ready"; await "http://127.0.0.1:$pv/health"

java -Xmx6g -cp "${RWC_CLASSPATH:-$root/bench/target/benchmarks.jar}" io.acceltel.bench.RemoteWriteCompare "$@" \
  acceltel="http://127.0.0.1:$pa/api/v1/write" \
  prometheus="http://127.0.0.1:$pp/api/v1/write" \
  victoriametrics="http://127.0.0.1:$pv/api/v1/write" \
  --pid acceltel="${pids[0]}" --pid prometheus="${pids[1]}" --pid victoriametrics="${pids[2]}" | tee "$work/result.txt"

samples=$(awk '/samples sent to each/ {print $NF}' "$work/result.txt")
curl -fs "http://127.0.0.1:$pv/internal/force_flush" >/dev/null || true
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true   # the aggregator checkpoints on shutdown
sleep 2
echo "bytes on disk per sample (after ingest; Prometheus holds it in its WAL and head until its 2 h compaction):"
for d in acceltel prometheus vm; do
  bytes=$(du -sb "$work/$d" | cut -f1)
  awk -v b="$bytes" -v s="$samples" -v d="$d" 'BEGIN {printf "  %-12s %12d bytes  %.3f B/sample\n", d, b, b / s}'
done
