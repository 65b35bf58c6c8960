#!/usr/bin/env bash
# Measures the exporter's resident memory and CPU at its production settings (the JVM flags ./acceltel sets for
# the exporter, 1 Hz ticks) over a window, with a Prometheus-like scrape every 5 s.
#   usage: bench/exporter-footprint.sh SECONDS [exporter flags...]
#   e.g.   bench/exporter-footprint.sh 300 --devices=simulated --simulated-devices=8
# Prints one line per 30 s and a summary: the largest RSS (MB) of samples taken at every scrape, the kernel's
# peak RSS (VmHWM: the whole run, start included, short peaks too), and CPU (% of one core) over the window after
# a 30 s warm-up.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:?usage: exporter-footprint.sh SECONDS [exporter flags...]}; shift
port=$((20000 + RANDOM % 20000))
ACCELTEL_NO_BUILD=1 "$root/acceltel" exporter --listen="127.0.0.1:$port" "$@" >/tmp/acceltel-footprint.log 2>&1 &
launcher=$!
trap 'kill $launcher 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { cat /tmp/acceltel-footprint.log; exit 1; }
pid=$(pgrep -f "acceltel.jar exporter --listen=127.0.0.1:$port" | head -1)
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rss_mb() { awk -v key="${1:-VmRSS}:" '$1 == key {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }
max_rss=0
# Scrapes every 5 s for the given seconds, sampling RSS right after each scrape (when its buffers are in use).
scrape_for() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do
    curl -fs "http://127.0.0.1:$port/metrics" -o /dev/null
    max_rss=$(awk -v a="$max_rss" -v b="$(rss_mb)" 'BEGIN {print (b > a) ? b : a}')
    sleep 5
  done
}
scrape_for 30
t0=$(cpu_ticks); s0=$SECONDS; max_rss=0
while [ $((SECONDS - s0)) -lt "$seconds" ]; do
  scrape_for 30
  echo "t=$((SECONDS - s0))s rss=$(rss_mb)MB"
done
t1=$(cpu_ticks); elapsed=$((SECONDS - s0))
awk -v t="$((t1 - t0))" -v hz="$hz" -v s="$elapsed" -v r="$max_rss" -v hwm="$(rss_mb VmHWM)" \
  'BEGIN {printf "window %d s: max RSS %.1f MB (sampled at every scrape), peak RSS %.1f MB (VmHWM, whole run), CPU %.2f %% of one core\n", s, r, hwm, 100 * t / hz / s}'
