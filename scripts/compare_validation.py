#!/usr/bin/env python3
"""Compares the acceltel exporter with nvidia-smi, for scripts/validate-nvidia.sh. Standard library only.

    compare_validation.py scrape --url http://127.0.0.1:9835/metrics --duration 60 --out scrapes.jsonl
    compare_validation.py report --scrapes scrapes.jsonl --smi smi.csv --log exporter.log --out report.md \
        [--meta key=value ...] [--dry-run]

`scrape` fetches /metrics once a second, half-way between the exporter's ticks (which are aligned to wall-clock
seconds), and keeps the accelerator_* samples with the tick timestamp they belong to.

`report` pairs every nvidia-smi row (GPU index, timestamp) with the exporter tick nearest in time (at most 0.75 s
apart), converts units (ratio -> %, bytes -> MiB, Hz -> MHz), and writes a markdown report: per metric the means,
the mean and maximum absolute difference of the pairs, the tolerance and PASS/FAIL. Load-dependent metrics are
judged on "steady" pairs: pairs within 1.5 s of a utilization step (>= 50 points between two nvidia-smi rows) are
left out of the judged figures, because a 1 s average and a point sample disagree by design across a step; they are
still in the "all pairs" columns. A metric passes when both the mean and the 90th percentile of its judged
differences are within the tolerance, so a fault in a minority of ticks is not averaged away. Exit code 1 when a
metric fails, or when no nvidia-smi row could be paired with an exporter tick at all.
"""
import argparse
import csv
import datetime
import json
import math
import re
import socket
import sys
import time
import urllib.request

LABEL_RE = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
IDENTITY_LABELS = {"node", "device", "uuid", "model", "vendor"}
CLOCK_EVENT_BITS = {
    "gpu_idle": 0x1, "applications_clocks_setting": 0x2, "sw_power_cap": 0x4, "hw_slowdown": 0x8,
    "sync_boost": 0x10, "sw_thermal_slowdown": 0x20, "hw_thermal_slowdown": 0x40,
    "hw_power_brake_slowdown": 0x80, "display_clock_setting": 0x100,
}
MIB = 1024.0 * 1024.0
# Newer nvidia-smi names some fields otherwise (and prints its own canonical name in the CSV header); older
# drivers know only the old one. A metric is compared under whichever of its names the CSV has.
FIELD_ALIASES = {
    "pcie.link.gen.current": ["pcie.link.gen.gpucurrent"],
    "clocks_event_reasons.active": ["clocks_throttle_reasons.active"],
    "clocks.current.sm": ["clocks.sm"],
    "clocks.current.memory": ["clocks.mem"],
    "clocks.current.graphics": ["clocks.gr"],
    "clocks.max.sm": ["clocks.max.sm"],
    "clocks.max.memory": ["clocks.max.mem"],
}
# The energy counter is judged against the power samples over at least this long a window (see the check).
MIN_ENERGY_WINDOW_S = 50

# (nvidia-smi field, exporter metric, extra labels, exporter -> nvidia-smi unit, tolerance, unit, dynamic, why)
METRICS = [
    ("utilization.gpu", "accelerator_utilization_ratio", {}, lambda v: v * 100, 10.0, "%", True,
     "exporter: mean of the ~5 driver samples (200 ms each) in the tick; nvidia-smi: the latest 200 ms sample"),
    ("utilization.memory", "accelerator_memory_utilization_ratio", {}, lambda v: v * 100, 10.0, "%", True,
     "both nvmlDeviceGetUtilizationRates.memory, read up to 0.5 s apart"),
    ("memory.total", "accelerator_memory_total_bytes", {}, lambda v: v / MIB, 1.0, "MiB", False,
     "bytes vs MiB, rounded to the nearest MiB by nvidia-smi"),
    ("memory.used", "accelerator_memory_used_bytes", {}, lambda v: v / MIB, 128.0, "MiB", True,
     "v2 used (excludes reserved) both; allocations may change between the two reads"),
    ("memory.reserved", "accelerator_memory_reserved_bytes", {}, lambda v: v / MIB, 1.0, "MiB", False,
     "bytes vs MiB"),
    ("power.draw", "accelerator_power_watts", {}, lambda v: v, None, "W", True,
     "exporter: mean of the 20 ms power samples in the tick; nvidia-smi: the driver's 1 s average; "
     "tolerance max(10 W, 5% of the mean)"),
    ("enforced.power.limit", "accelerator_power_limit_watts", {}, lambda v: v, 0.5, "W", False, "same call"),
    ("temperature.gpu", "accelerator_temperature_celsius", {}, lambda v: v, 2.0, "°C", True,
     "point reads up to 0.5 s apart"),
    ("temperature.memory", "accelerator_memory_temperature_celsius", {}, lambda v: v, 2.0, "°C", True,
     "field 82 both"),
    ("clocks.current.sm", "accelerator_clock_hertz", {"clock": "sm"}, lambda v: v / 1e6, 100.0, "MHz", True,
     "point reads; boost clocks move under load"),
    ("clocks.current.memory", "accelerator_clock_hertz", {"clock": "memory"}, lambda v: v / 1e6, 10.0, "MHz",
     True, "point reads"),
    ("clocks.current.graphics", "accelerator_clock_hertz", {"clock": "graphics"}, lambda v: v / 1e6, 100.0,
     "MHz", True, "point reads; boost clocks move under load"),
    ("clocks.max.sm", "accelerator_clock_max_hertz", {"clock": "sm"}, lambda v: v / 1e6, 0.5, "MHz", False,
     "constant"),
    ("clocks.max.memory", "accelerator_clock_max_hertz", {"clock": "memory"}, lambda v: v / 1e6, 0.5, "MHz",
     False, "constant"),
    ("pstate", "accelerator_performance_state", {}, lambda v: v, 0.5, "P", True, "P-state number"),
    ("pcie.link.gen.current", "accelerator_pcie_link_generation", {}, lambda v: v, 0.5, "", True,
     "the link may train down when idle"),
    ("pcie.link.gen.max", "accelerator_pcie_link_max_generation", {}, lambda v: v, 0.5, "", False, "constant"),
    ("pcie.link.width.current", "accelerator_pcie_link_width", {}, lambda v: v, 0.5, "lanes", True, "point reads"),
    ("pcie.link.width.max", "accelerator_pcie_link_max_width", {}, lambda v: v, 0.5, "lanes", False, "constant"),
    ("fan.speed", "accelerator_fan_speed_ratio", {}, lambda v: v * 100, 5.0, "%", True,
     "absent on passively cooled boards (H100, H200 SXM): both must be absent"),
    ("clocks_event_reasons.active", "accelerator_clock_event_active", None, None, 0.1, "mask", True,
     "bit mask rebuilt from the 0/1 series; judged as the fraction of pairs whose masks differ (bits 0x1..0x100)"),
]


# ---------------------------------------------------------------- scrape

def parse_exposition(text):
    samples = []
    for line in text.splitlines():
        if not (line.startswith("accelerator_") or line.startswith("acceltel_exporter_last_tick")):
            continue
        head, _, value = line.rpartition(" ")
        name, _, labels = head.partition("{")
        try:
            samples.append([name, dict(LABEL_RE.findall(labels)), float(value)])
        except ValueError:
            continue
    return samples


def scrape(args):
    end = time.time() + args.duration
    count = 0
    with open(args.out, "w") as out:
        while time.time() < end:
            now = time.time()
            time.sleep(max(0.0, math.floor(now) + 1.5 - now))  # half-way between two ticks
            try:
                with urllib.request.urlopen(args.url, timeout=2) as response:
                    text = response.read().decode("utf-8")
            except OSError as e:
                print("scrape failed: %s" % e, file=sys.stderr)
                continue
            samples = parse_exposition(text)
            tick = next((s[2] for s in samples if s[0] == "acceltel_exporter_last_tick_timestamp_seconds"), None)
            out.write(json.dumps({"t": time.time(), "tick": tick, "samples": samples}) + "\n")
            out.flush()
            count += 1
    print("scraped %d times" % count, file=sys.stderr)


# ---------------------------------------------------------------- report

def load_exporter(path):
    """{gpu index: {tick seconds: {(metric, frozenset(extra labels)): value}}} plus device info labels."""
    ticks, info = {}, {}
    with open(path) as f:
        for line in f:
            scrape_ = json.loads(line)
            tick = scrape_["tick"]
            if tick is None:
                continue
            for name, labels, value in scrape_["samples"]:
                if "device" not in labels:
                    continue
                gpu = int(labels["device"])
                extra = frozenset((k, v) for k, v in labels.items() if k not in IDENTITY_LABELS)
                ticks.setdefault(gpu, {}).setdefault(tick, {})[(name, extra)] = value
                if name == "accelerator_device_info":
                    info[gpu] = labels
    return ticks, info


def smi_value(raw):
    raw = raw.strip()
    if not raw or raw.startswith("[") or raw in ("N/A", "Not Supported"):
        return None
    if raw.startswith("P") and raw[1:].isdigit():
        return float(raw[1:])
    if raw.startswith("0x"):
        return float(int(raw, 16))
    try:
        return float(raw)
    except ValueError:
        return raw


def load_smi(path):
    rows = []
    with open(path, newline="") as f:
        reader = csv.reader(f, skipinitialspace=True)
        header = None
        for row in reader:
            if not row:
                continue
            if header is None or row[0].startswith("timestamp"):
                header = [h.split(" [")[0].strip() for h in row]
                continue
            if len(row) != len(header):
                continue
            record = dict(zip(header, (c.strip() for c in row)))
            try:
                t = time.mktime(datetime.datetime.strptime(record["timestamp"], "%Y/%m/%d %H:%M:%S.%f").timetuple())
                t += int(record["timestamp"].rsplit(".", 1)[1]) / 1000.0
                record["_t"] = t
                record["_gpu"] = int(record["index"])
            except (KeyError, ValueError):
                continue
            rows.append(record)
    return rows


def exporter_value(values, metric, labels, convert):
    if labels is None:  # clock event reasons -> mask
        mask, seen = 0, False
        for (name, extra), v in values.items():
            if name == metric:
                seen = True
                reason = dict(extra).get("reason")
                if v >= 0.5 and reason in CLOCK_EVENT_BITS:
                    mask |= CLOCK_EVENT_BITS[reason]
        return float(mask) if seen else None
    v = values.get((metric, frozenset(labels.items())))
    return None if v is None else convert(v)


def pair(smi_rows, ticks):
    pairs = []
    for row in smi_rows:
        series = ticks.get(row["_gpu"])
        if not series:
            continue
        tick = min(series, key=lambda k: abs(k - row["_t"]))
        if abs(tick - row["_t"]) <= 0.75:
            pairs.append((row, tick, series[tick]))
    return pairs


def edges(smi_rows):
    """Times of utilization steps >= 50 points, per GPU."""
    steps, last = {}, {}
    for row in sorted(smi_rows, key=lambda r: r["_t"]):
        u = smi_value(row.get("utilization.gpu", ""))
        if isinstance(u, float):
            previous = last.get(row["_gpu"])
            if previous is not None and abs(u - previous) >= 50:
                steps.setdefault(row["_gpu"], []).append(row["_t"])
            last[row["_gpu"]] = u
    return steps


def percentile(values, q):
    """The q-quantile by nearest rank (q = 0.9: the value 90 % of the differences do not exceed)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def smi_field(field, smi_fields):
    return next((f for f in [field] + FIELD_ALIASES.get(field, []) if f in smi_fields), None)


def read_log(path):
    """What the exporter's log says about NVML: (gpu, function) not supported, failed calls, lost devices."""
    unsupported, failed, lost = [], [], []
    if not path:
        return unsupported, failed, lost
    with open(path, errors="replace") as f:
        for line in f:
            m = re.search(r"device (\d+) \(([^)]*)\): (\S+) is not supported", line)
            if m:
                unsupported.append((int(m.group(1)), m.group(3)))
            m = re.search(r"(\w+): (\S+) failed with (\S+) \((-?\d+)\)", line)
            if m:
                failed.append((m.group(2), m.group(3), int(m.group(4))))
            m = re.search(r"device (\d+) \(([^)]*)\) is lost: (.*)", line)
            if m:
                lost.append((int(m.group(1)), m.group(3).strip()))
    return unsupported, failed, lost


def fmt(v, digits=1):
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    return ("%." + str(digits) + "f") % v


def report(args):
    ticks, info = load_exporter(args.scrapes)
    smi_rows = load_smi(args.smi)
    meta = dict(m.split("=", 1) for m in args.meta)
    pairs = pair(smi_rows, ticks)
    steps = edges(smi_rows)
    smi_fields = set(smi_rows[0].keys()) if smi_rows else set()

    def near_edge(row):
        return any(abs(row["_t"] - s) <= 1.5 for s in steps.get(row["_gpu"], []))

    results = []
    for wanted, metric, labels, convert, tol, unit, dynamic, why in METRICS:
        field = smi_field(wanted, smi_fields)
        if field is None:
            results.append((wanted, metric, unit, None, None, None, None, None, None, tol, "SKIPPED",
                            "nvidia-smi did not answer this field", 0, why))
            continue
        all_pairs, steady = [], []
        exp_only = smi_only = 0
        for row, _, values in pairs:
            s = smi_value(row.get(field, ""))
            e = exporter_value(values, metric, labels, convert)
            if isinstance(s, str):
                s = None
            if s is None and e is None:
                continue
            if s is None or e is None:
                exp_only += e is not None
                smi_only += s is not None
                continue
            diff = (0.0 if int(e) == int(s) & 0x1FF else 1.0) if labels is None else abs(e - s)
            all_pairs.append((e, s, diff))
            if not (dynamic and near_edge(row)):
                steady.append(diff)
        if not all_pairs:
            status = "PASS" if not exp_only and not smi_only else "FAIL"
            note = ("absent on both sides" if status == "PASS"
                    else "exporter has it in %d pairs, nvidia-smi in %d" % (exp_only, smi_only))
            results.append((field, metric, unit, None, None, None, None, None, None, tol, status, note, 0, why))
            continue
        mean_e = sum(p[0] for p in all_pairs) / len(all_pairs)
        mean_s = sum(p[1] for p in all_pairs) / len(all_pairs)
        mad = sum(p[2] for p in all_pairs) / len(all_pairs)
        worst = max(p[2] for p in all_pairs)
        judged_pairs = steady if steady else [p[2] for p in all_pairs]
        judged = sum(judged_pairs) / len(judged_pairs)
        p90 = percentile(judged_pairs, 0.9)
        limit = tol if tol is not None else max(10.0, 0.05 * mean_s)
        # The mask's differences are 0 or 1 and its tolerance a share of pairs: the mean alone judges it.
        within = judged <= limit and (labels is None or p90 <= limit)
        status = "PASS" if within and not exp_only and not smi_only else "FAIL"
        note = "%d pairs, %d near a load step" % (len(all_pairs), len(all_pairs) - len(steady))
        if exp_only or smi_only:
            note += "; missing on one side in %d pairs" % (exp_only + smi_only)
        if labels is None:
            mean_e = mean_s = None
        results.append((field, metric, unit, mean_e, mean_s, mad, judged, p90, worst, limit, status, note,
                        len(all_pairs), why))

    # energy counter vs power, the exporter against itself
    consistency = []
    for gpu, series in sorted(ticks.items()):
        points = sorted((t, v.get(("accelerator_energy_joules_total", frozenset())),
                         v.get(("accelerator_power_watts", frozenset()))) for t, v in series.items())
        points = [p for p in points if p[1] is not None and p[2] is not None]
        if len(points) < 10:
            continue
        (t0, e0, _), (t1, e1, _) = points[0], points[-1]
        if t1 <= t0:
            continue
        from_energy = (e1 - e0) / (t1 - t0)
        mean_power = sum(p[2] for p in points[1:]) / (len(points) - 1)
        rel = abs(from_energy - mean_power) / max(mean_power, 1e-9)
        # The counter integrates power continuously and the samples see it once a tick, so a load step moves the
        # two apart by up to (step x tick) / window: 5 % for a 500 W step in 20 s. Judge long windows only.
        status = "PASS" if rel <= 0.05 else "FAIL"
        if t1 - t0 < MIN_ENERGY_WINDOW_S:
            status = "SKIPPED"
        consistency.append((gpu, from_energy, mean_power, rel, status, t1 - t0))

    from_log = read_log(args.log)
    smi_errors = ""
    if args.smi_err:
        with open(args.smi_err, errors="replace") as f:
            smi_errors = f.read()[-2000:].strip()

    write_report(args, meta, ticks, info, smi_rows, pairs, steps, results, consistency, from_log, smi_errors)
    failed = [r[0] for r in results if r[10] == "FAIL"] + ["energy/GPU %d" % c[0] for c in consistency
                                                            if c[4] == "FAIL"]
    if not pairs:
        # Every metric would read SKIPPED, which is no validation: nvidia-smi or the scrapes gave nothing.
        failed.append("no pairs (%d nvidia-smi rows, %d exporter ticks)%s" % (
            len(smi_rows), len({t for s in ticks.values() for t in s}),
            ("; nvidia-smi said: " + smi_errors.splitlines()[-1]) if smi_errors else ""))
    skipped_energy = sum(c[4] == "SKIPPED" for c in consistency)
    if skipped_energy:
        print("energy counter check skipped: the run is shorter than %d s (use --duration 60)" % MIN_ENERGY_WINDOW_S)
    print("validation: %d metrics PASS, %d FAIL%s, %d SKIPPED; report in %s" % (
        sum(r[10] == "PASS" for r in results), len(failed), (" (" + ", ".join(failed) + ")") if failed else "",
        sum(r[10] == "SKIPPED" for r in results), args.out))
    return 1 if failed else 0


def write_report(args, meta, ticks, info, smi_rows, pairs, steps, results, consistency, from_log, smi_errors):
    unsupported, failed_calls, lost = from_log
    first = smi_rows[0] if smi_rows else {}
    gpus = sorted({r["_gpu"] for r in smi_rows})
    model = first.get("name") or (info.get(0, {}).get("model") if info else "unknown")
    driver = first.get("driver_version") or (info.get(0, {}).get("driver_version") if info else "unknown")
    out = []
    w = out.append
    if args.dry_run:
        w("# Validation DRY RUN on the NVML test double — NOT a hardware validation")
        w("")
        w("> This report exercises `scripts/validate-nvidia.sh` end to end without a GPU: the exporter read "
          "`libnvml_double.so` (acceltel's C test double of libnvidia-ml, with `NVML_DOUBLE_LOAD=1` moving its "
          "values), and the \"nvidia-smi\" column comes from a stand-in (`bench/native/nvml_tick_cost "
          "--smi-standin`) reading the same double. It shows that the procedure, the pairing and the unit "
          "conversions work; it says nothing about real GPUs. Real numbers go to `nvidia-<model>.md` (e.g. `nvidia-h100.md`).")
    else:
        w("# Validation: acceltel exporter vs nvidia-smi on %s" % model)
    w("")
    w("| | |")
    w("|---|---|")
    for key, value in [
        ("date", meta.get("date", time.strftime("%Y-%m-%d %H:%M:%S %Z"))),
        ("host", meta.get("host", socket.gethostname())),
        ("GPU model", model),
        ("GPUs compared", ", ".join(str(g) for g in gpus) or "none"),
        ("driver", driver),
        ("NVML", meta.get("nvml", "unknown")),
        ("duration", "%s s (%d exporter ticks scraped, %d nvidia-smi rows, %d pairs)" % (
            meta.get("duration", "?"), len({t for s in ticks.values() for t in s}), len(smi_rows), len(pairs))),
        ("load", meta.get("load", "none")),
        ("exporter", "`%s`" % meta.get("exporter", "?")),
        ("nvidia-smi", "`%s`" % meta.get("smi", "?")),
        ("fields nvidia-smi rejected", meta.get("dropped", "none") or "none"),
    ]:
        w("| %s | %s |" % (key, value))
    w("")
    w("## Exporter vs nvidia-smi, per metric")
    w("")
    w("Means over all time-aligned pairs (all GPUs), in nvidia-smi's unit. *judged* is the mean absolute "
      "difference over the steady pairs (load-dependent metrics leave out pairs within 1.5 s of a utilization "
      "step), *p90* the difference 90 % of those pairs stay within; PASS when both are within the tolerance "
      "(the clock event mask: when the share of differing pairs is).")
    w("")
    w("| nvidia-smi field | exporter metric | unit | exporter mean | nvidia-smi mean | mean abs diff (all) "
      "| max diff | judged | p90 | tolerance | result | pairs / notes |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (field, metric, unit, mean_e, mean_s, mad, judged, p90, worst, limit, status, note, _, _) in results:
        w("| `%s` | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | **%s** | %s |" % (
            field, metric, unit, fmt(mean_e), fmt(mean_s), fmt(mad, 2), fmt(worst, 1), fmt(judged, 2),
            fmt(p90, 2), fmt(limit, 1), status, note))
    w("")
    if not pairs:
        w("**No nvidia-smi row could be paired with an exporter tick: this run validates nothing.** "
          "%d nvidia-smi rows, %d exporter ticks scraped." % (len(smi_rows), len({t for s in ticks.values()
                                                                                 for t in s})))
        if smi_errors:
            w("")
            w("nvidia-smi's standard error (last lines):")
            w("")
            w("```")
            w(smi_errors)
            w("```")
        w("")
    if consistency:
        w("## Energy counter vs power (the exporter against itself)")
        w("")
        w("Δ`accelerator_energy_joules_total` / Δt over the run vs the mean of `accelerator_power_watts`; "
          "tolerance 5 %%; judged over windows of %d s or more (a load step inside a shorter one moves the two apart "
          "by more than that), SKIPPED otherwise." % MIN_ENERGY_WINDOW_S)
        w("")
        w("| GPU | from energy (W) | mean power (W) | difference | window (s) | result |")
        w("|---|---|---|---|---|---|")
        for gpu, from_energy, mean_power, rel, status, window in consistency:
            w("| %d | %.1f | %.1f | %.2f %% | %.0f | **%s** |" % (gpu, from_energy, mean_power, rel * 100, window,
                                                                 status))
        w("")
    w("## Time series excerpt (GPU %s)" % (gpus[0] if gpus else "-"))
    w("")
    gpu0 = [p for p in pairs if gpus and p[0]["_gpu"] == gpus[0]]
    gpu0.sort(key=lambda p: p[0]["_t"])
    start = 0
    if gpus and steps.get(gpus[0]):
        first_step = steps[gpus[0]][0]
        start = max(0, next((i for i, p in enumerate(gpu0) if p[0]["_t"] >= first_step), 0) - 3)
    w("| nvidia-smi time | exporter tick | util % exporter (mean / max) | util % nvidia-smi | power W exporter "
      "(mean / max) | power W nvidia-smi | SM MHz exporter | SM MHz nvidia-smi |")
    w("|---|---|---|---|---|---|---|---|")
    for row, tick, values in gpu0[start:start + 10]:
        def ev(name, scale=1.0, **labels):
            v = values.get((name, frozenset(labels.items())))
            return None if v is None else v * scale
        w("| %s | %s | %s / %s | %s | %s / %s | %s | %s | %s |" % (
            row["timestamp"].split(" ")[1], time.strftime("%H:%M:%S", time.localtime(tick)),
            fmt(ev("accelerator_utilization_ratio", 100)), fmt(ev("accelerator_utilization_max_ratio", 100)),
            row.get("utilization.gpu", "–"),
            fmt(ev("accelerator_power_watts")), fmt(ev("accelerator_power_max_watts")), row.get("power.draw", "–"),
            fmt(ev("accelerator_clock_hertz", 1e-6, clock="sm"), 0), row.get("clocks.current.sm", "–")))
    w("")
    w("## What NVML reported as not supported")
    w("")
    if unsupported:
        by_function = {}
        for gpu, function in unsupported:
            by_function.setdefault(function, set()).add(gpu)
        w("From the exporter's log (\"… is not supported; its metrics are left out for this device\"):")
        w("")
        w("| NVML function | GPUs |")
        w("|---|---|")
        for function, devices in sorted(by_function.items()):
            w("| `%s` | %s |" % (function, ", ".join(str(d) for d in sorted(devices))))
    else:
        w("Nothing.")
    w("")
    w("## Calls that failed, and devices lost")
    w("")
    if failed_calls or lost:
        w("From the exporter's log (the first failure of each function and code; later ones are only counted in "
          "`acceltel_exporter_backend_errors_total`):")
        w("")
        w("| what | detail |")
        w("|---|---|")
        for function, code_name, code in sorted(set(failed_calls)):
            w("| `%s` failed | %s (%d) |" % (function, code_name, code))
        for gpu, why in lost:
            w("| GPU %d lost | %s |" % (gpu, why))
    else:
        w("None: every call that NVML supports answered throughout the run, and no GPU was lost.")
    w("")
    w("## Expected differences and how the tolerances were chosen")
    w("")
    w("- **Timing.** The exporter reads at each wall-clock second (its tick) and nvidia-smi at its own 1 s "
      "loop; pairs are the nearest tick to each nvidia-smi row, so the two reads are up to 0.5 s apart "
      "(0.75 s accepted). Point values that move (clocks, temperature, utilization.memory) differ by what "
      "changes in that time.")
    w("- **Utilization.** `accelerator_utilization_ratio` is the mean of every 200 ms driver sample within the "
      "tick (drained from `nvmlDeviceGetSamples`), while nvidia-smi's `utilization.gpu` is one 200 ms sample. "
      "In steady phases both read the same (0 or ~100); across a busy/idle step they disagree by up to 100 "
      "points for one or two rows, so the judged figure leaves out pairs within 1.5 s of a step. Tolerance "
      "10 points.")
    w("- **Power.** On Hopper `power.draw` (nvmlDeviceGetPowerUsage) is the driver's 1 s moving average; the "
      "exporter averages the 20 ms power samples in its tick, i.e. also ~1 s, but over a window up to 0.5 s "
      "off. Tolerance max(10 W, 5 % of the mean) in steady phases; across a step the difference can be "
      "hundreds of watts.")
    w("- **Memory.** Both use `nvmlDeviceGetMemoryInfo_v2`: `used` excludes the driver's `reserved` memory. "
      "nvidia-smi prints MiB rounded down: 1 MiB tolerance on constants, 128 MiB on `used` (allocations "
      "between the two reads).")
    w("- **Clocks** are instantaneous and move under load (boost, power capping): 100 MHz for SM/graphics, "
      "10 MHz for memory; maxima must match exactly.")
    w("- **PCIe link generation** can train down on an idle GPU and back up under load; both read the same "
      "call, so only the timing differs.")
    w("- **Clock event reasons**: the exporter publishes one 0/1 series per reason NVML defines (bits "
      "0x1–0x100); the mask is rebuilt from them and compared with nvidia-smi's mask restricted to those "
      "bits. At most 10 % of the steady pairs may differ (a reason such as sw_power_cap toggles within a "
      "second under load).")
    w("- **Fan**: H100 and H200 SXM boards are passively cooled; NVML answers NOT_SUPPORTED and both sides must leave "
      "it out.")
    w("")
    with open(args.out, "w") as f:
        f.write("\n".join(out))


def main():
    parser = argparse.ArgumentParser(description="acceltel exporter vs nvidia-smi")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("scrape")
    s.add_argument("--url", required=True)
    s.add_argument("--duration", type=float, required=True)
    s.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("--scrapes", required=True)
    r.add_argument("--smi", required=True)
    r.add_argument("--log")
    r.add_argument("--smi-err", help="nvidia-smi's standard error, shown when it gave no rows")
    r.add_argument("--out", required=True)
    r.add_argument("--meta", action="append", default=[], help="key=value for the report's header")
    r.add_argument("--dry-run", action="store_true", help="title the report as a dry run on the test double")
    args = parser.parse_args()
    if args.command == "scrape":
        scrape(args)
        return 0
    return report(args)


if __name__ == "__main__":
    sys.exit(main())
