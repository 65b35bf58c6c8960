package io.acceltel.promql.promqltest;

import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import io.acceltel.promql.storage.Queryable;
import io.acceltel.promql.storage.SelectHints;
import io.acceltel.promql.storage.StoredSeries;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An in-memory {@link Queryable} for tests: series appended in time order, selected by matchers and time. */
public final class MemoryQueryable implements Queryable {
  private final Map<Labels, Points> series = new TreeMap<>();
  private final List<SelectHints> hints = new ArrayList<>();

  /** Growable sample arrays. */
  static final class Points {
    long[] ts = new long[8];
    double[] vs = new double[8];
    int n;

    void add(long t, double v) {
      if (n == ts.length) {
        ts = java.util.Arrays.copyOf(ts, n * 2);
        vs = java.util.Arrays.copyOf(vs, n * 2);
      }
      ts[n] = t;
      vs[n++] = v;
    }
  }

  public void add(Labels labels, long t, double v) {
    series.computeIfAbsent(labels, k -> new Points()).add(t, v);
  }

  public void clear() {
    series.clear();
    hints.clear();
  }

  /** Every hint the engine passed, in order. */
  public List<SelectHints> hints() {
    return hints;
  }

  @Override
  public List<StoredSeries> select(SelectHints h, List<LabelMatcher> matchers) {
    hints.add(h);
    List<StoredSeries> out = new ArrayList<>();
    for (Map.Entry<Labels, Points> e : series.entrySet()) {
      boolean ok = true;
      for (LabelMatcher m : matchers) {
        if (!m.matches(e.getKey().get(m.name()))) {
          ok = false;
          break;
        }
      }
      if (!ok) {
        continue;
      }
      Points p = e.getValue();
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < p.n; i++) {
        if (p.ts[i] >= h.start() && p.ts[i] <= h.end()) {
          idx.add(i);
        }
      }
      if (idx.isEmpty()) {
        continue;
      }
      long[] ts = new long[idx.size()];
      double[] vs = new double[idx.size()];
      for (int i = 0; i < ts.length; i++) {
        ts[i] = p.ts[idx.get(i)];
        vs[i] = p.vs[idx.get(i)];
      }
      Labels labels = e.getKey();
      out.add(new StoredSeries() {
        @Override
        public Labels labels() {
          return labels;
        }

        @Override
        public int size() {
          return ts.length;
        }

        @Override
        public long timestamp(int i) {
          return ts[i];
        }

        @Override
        public double value(int i) {
          return vs[i];
        }
      });
    }
    return out;
  }
}
