package io.acceltel.aggregator.differential;

import io.acceltel.model.remotewrite.WriteRequestEncoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The differential tests' data: one deterministic hour of GPU-like gauges at 1 s, counters with resets, NaN and
 * ±Inf, staleness markers, gaps, classic histogram buckets, info series and label sets for matching, all from
 * {@link #T0} (2023-11-14T22:00:00Z). {@link #requests} cuts it into remote_write requests by time slice, so every
 * series is sent in time order and no request reaches back further than Prometheus's head accepts.
 */
final class Dataset {
  static final long T0 = 1_699_999_200_000L;
  static final long HOUR = 3_600_000L;
  static final double STALE = Double.longBitsToDouble(0x7ff0000000000002L);

  /** One series: labels (with __name__) and its samples by time. */
  record Series(Map<String, String> labels, TreeMap<Long, Double> samples) {}

  final List<Series> series = new ArrayList<>();

  private TreeMap<Long, Double> add(String name, String... labelPairs) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("__name__", name);
    for (int i = 0; i < labelPairs.length; i += 2) {
      labels.put(labelPairs[i], labelPairs[i + 1]);
    }
    TreeMap<Long, Double> samples = new TreeMap<>();
    series.add(new Series(labels, samples));
    return samples;
  }

  static Dataset generate() {
    Dataset d = new Dataset();
    Random r = new Random(20231114);
    d.gpus(r);
    d.httpRequests(r);
    d.histograms(r);
    d.specials();
    d.staleness();
    d.gaps(r);
    d.matching();
    d.shapes(r);
    return d;
  }

  private static long at(int seconds) {
    return T0 + seconds * 1000L;
  }

  /** 3 nodes x 2 GPUs at 1 s: utilization, power, an energy counter (one resets), temperature at 15 s. */
  private void gpus(Random r) {
    String[][] gpus = {{"n1", "0", "train"}, {"n1", "1", "train"}, {"n2", "0", "train"}, {"n2", "1", "train"},
        {"n3", "0", "serve"}, {"n3", "1", "serve"}};
    for (String[] g : gpus) {
      TreeMap<Long, Double> util = add("gpu_utilization_ratio", "node", g[0], "gpu", g[1], "job", g[2]);
      TreeMap<Long, Double> power = add("gpu_power_watts", "node", g[0], "gpu", g[1], "job", g[2]);
      TreeMap<Long, Double> energy = add("gpu_energy_joules_total", "node", g[0], "gpu", g[1], "job", g[2]);
      TreeMap<Long, Double> temp = add("gpu_temperature_celsius", "node", g[0], "gpu", g[1], "job", g[2]);
      TreeMap<Long, Double> avg = add("job:gpu_utilization:avg1m", "node", g[0], "gpu", g[1], "job", g[2]);
      double u = r.nextInt(100) / 100.0;
      double e = r.nextInt(100_000);
      boolean resets = g[0].equals("n2") && g[1].equals("1");
      for (int s = 0; s < 3600; s++) {
        u = Math.max(0, Math.min(1, Math.round((u + (r.nextInt(11) - 5) / 100.0) * 100) / 100.0));
        double p = Math.round((100 + u * 300) * 1000 + r.nextInt(1000)) / 1000.0;
        e = resets && s == 1500 ? p : e + p;
        util.put(at(s), u);
        power.put(at(s), p);
        energy.put(at(s), Math.round(e * 1000) / 1000.0);
        if (s % 15 == 0) {
          temp.put(at(s), (double) (40 + Math.round(u * 40)));
        }
        if (s % 60 == 0) {
          avg.put(at(s), u);
        }
      }
    }
  }

  /** Request counters at 15 s, by instance, code and method; instance i2 restarts at 30 min. */
  private void httpRequests(Random r) {
    for (String instance : new String[] {"i1", "i2", "i3"}) {
      for (String code : new String[] {"200", "500"}) {
        for (String method : new String[] {"get", "post"}) {
          TreeMap<Long, Double> c = add("http_requests_total", "job", "api", "instance", instance, "code", code,
              "method", method);
          double v = r.nextInt(1000);
          for (int s = 0; s <= 3600; s += 15) {
            v = instance.equals("i2") && s == 1800 ? r.nextInt(5) : v + r.nextInt(code.equals("200") ? 40 : 4);
            c.put(at(s), v);
          }
        }
      }
    }
  }

  /** A classic histogram per node at 15 s (buckets, _sum, _count); node n3 restarts at 40 min. */
  private void histograms(Random r) {
    double[] bounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
    String[] les = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "+Inf"};
    for (String node : new String[] {"n1", "n2", "n3"}) {
      List<TreeMap<Long, Double>> buckets = new ArrayList<>();
      for (String le : les) {
        buckets.add(add("tick_duration_seconds_bucket", "node", node, "le", le));
      }
      TreeMap<Long, Double> sum = add("tick_duration_seconds_sum", "node", node);
      TreeMap<Long, Double> count = add("tick_duration_seconds_count", "node", node);
      double[] cum = new double[les.length];
      double total = 0;
      for (int s = 0; s <= 3600; s += 15) {
        if (node.equals("n3") && s == 2400) {
          cum = new double[les.length];
          total = 0;
        }
        int n = 10 + r.nextInt(50);
        for (int i = 0; i < n; i++) {
          double x = Math.round(-Math.log(1 - r.nextDouble()) * (node.equals("n1") ? 0.02 : 0.1) * 1e6) / 1e6;
          total += x;
          for (int b = 0; b < les.length; b++) {
            if (b == les.length - 1 || x <= bounds[b]) {
              cum[b]++;
            }
          }
        }
        for (int b = 0; b < les.length; b++) {
          buckets.get(b).put(at(s), cum[b]);
        }
        sum.put(at(s), Math.round(total * 1e6) / 1e6);
        count.put(at(s), cum[les.length - 1]);
      }
    }
  }

  /** NaN, +Inf, -Inf and a mix, at 15 s. */
  private void specials() {
    TreeMap<Long, Double> nan = add("special_values", "kind", "nan");
    TreeMap<Long, Double> inf = add("special_values", "kind", "inf");
    TreeMap<Long, Double> ninf = add("special_values", "kind", "ninf");
    TreeMap<Long, Double> mixed = add("special_values", "kind", "mixed");
    double[] cycle = {1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -2.5, 0};
    for (int s = 0, k = 0; s <= 3600; s += 15, k++) {
      nan.put(at(s), k % 4 == 0 ? Double.NaN : k);
      inf.put(at(s), Double.POSITIVE_INFINITY);
      ninf.put(at(s), Double.NEGATIVE_INFINITY);
      mixed.put(at(s), cycle[k % cycle.length]);
    }
  }

  /** A series that ends with a staleness marker, one that resumes after one, one that starts late. */
  private void staleness() {
    TreeMap<Long, Double> ends = add("stale_series", "state", "ends");
    TreeMap<Long, Double> resumes = add("stale_series", "state", "resumes");
    TreeMap<Long, Double> late = add("stale_series", "state", "late");
    for (int s = 0, k = 0; s <= 3600; s += 15, k++) {
      if (s <= 1200) {
        ends.put(at(s), (double) k);
        resumes.put(at(s), k * 2.0);
      } else if (s == 1215) {
        ends.put(at(s), STALE);
        resumes.put(at(s), STALE);
      } else if (s >= 2100) {
        resumes.put(at(s), k * 2.0);
      }
      if (s >= 2400) {
        late.put(at(s), 100.0 + k);
      }
    }
  }

  /** Gaps without staleness markers: one longer than the lookback (15 min), one shorter (4 min). */
  private void gaps(Random r) {
    TreeMap<Long, Double> longGap = add("gappy_gauge", "gap", "long");
    TreeMap<Long, Double> shortGap = add("gappy_gauge", "gap", "short");
    for (int s = 0; s <= 3600; s += 15) {
      double v = r.nextInt(1000) / 10.0;
      if (s <= 600 || s >= 1500) {
        longGap.put(at(s), v);
      }
      if (s < 1800 || s > 2040) {
        shortGap.put(at(s), v + 1);
      }
    }
    TreeMap<Long, Double> irregular = add("irregular_gauge", "src", "jitter");
    long t = T0 + 137;
    while (t <= T0 + HOUR) {
      irregular.put(t, r.nextInt(10_000) / 100.0);
      t += 5000 + r.nextInt(20_000);
    }
  }

  /** Info series for group_left, label sets that make matching ambiguous, and labels to rewrite. */
  private void matching() {
    String[][] info = {{"n1", "535.104"}, {"n2", "535.104"}, {"n3", "550.54"}};
    for (String[] i : info) {
      TreeMap<Long, Double> s = add("node_info", "node", i[0], "driver", i[1]);
      for (int t = 0; t <= 3600; t += 15) {
        s.put(at(t), 1.0);
      }
    }
    TreeMap<Long, Double> x = add("dup_metric", "instance", "a", "job", "x");
    TreeMap<Long, Double> y = add("dup_metric", "instance", "a", "job", "y");
    TreeMap<Long, Double> other = add("dup_other", "instance", "a");
    TreeMap<Long, Double> labels = add("labels_test", "path", "/api/v1/query", "host", "a.b.c:9090", "src",
        "x-y_z");
    for (int t = 0, k = 0; t <= 3600; t += 15, k++) {
      x.put(at(t), 1.0 + k % 3);
      y.put(at(t), 2.0);
      other.put(at(t), 10.0);
      labels.put(at(t), 1.0);
    }
  }

  /** Shapes for the math functions: in [-1, 1], fractions around zero, huge and tiny, constant, a slow counter. */
  private void shapes(Random r) {
    TreeMap<Long, Double> unit = add("wave_gauge", "shape", "unit");
    TreeMap<Long, Double> frac = add("wave_gauge", "shape", "frac");
    TreeMap<Long, Double> big = add("wave_gauge", "shape", "big");
    TreeMap<Long, Double> tiny = add("wave_gauge", "shape", "tiny");
    TreeMap<Long, Double> constant = add("constant_gauge", "shape", "flat");
    TreeMap<Long, Double> slow = add("slow_counter_total", "shape", "slow");
    double c = 0;
    for (int s = 0, k = 0; s <= 3600; s += 15, k++) {
      unit.put(at(s), Math.round(Math.sin(k / 7.0) * 1000) / 1000.0);
      frac.put(at(s), Math.round((k * 0.37 - 40) * 100) / 100.0);
      big.put(at(s), 1e15 + r.nextInt(1_000_000) * 1000.0);
      tiny.put(at(s), (k + 1) * 1e-9);
      constant.put(at(s), 5.0);
      c += k % 5 == 0 ? 1 : 0;
      slow.put(at(s), c);
    }
  }

  /** remote_write requests (uncompressed), one per time slice of {@code sliceMillis}, in time order. */
  List<byte[]> requests(long sliceMillis) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (Series s : series) {
      min = Math.min(min, s.samples().firstKey());
      max = Math.max(max, s.samples().lastKey());
    }
    List<byte[]> out = new ArrayList<>();
    for (long from = min; from <= max; from += sliceMillis) {
      WriteRequestEncoder w = new WriteRequestEncoder();
      boolean any = false;
      for (Series s : series) {
        Map<Long, Double> slice = s.samples().subMap(from, from + sliceMillis);
        if (slice.isEmpty()) {
          continue;
        }
        long[] t = new long[slice.size()];
        double[] v = new double[slice.size()];
        int i = 0;
        for (Map.Entry<Long, Double> e : slice.entrySet()) {
          t[i] = e.getKey();
          v[i++] = e.getValue();
        }
        w.series(s.labels(), t, v);
        any = true;
      }
      if (any) {
        out.add(w.encode());
      }
    }
    return out;
  }

  int sampleCount() {
    int n = 0;
    for (Series s : series) {
      n += s.samples().size();
    }
    return n;
  }
}
