package io.acceltel.promql.engine;

import io.acceltel.promql.value.Sample;
import java.util.ArrayList;
import java.util.List;

/**
 * topk / bottomk exactly as Prometheus 2.42 computes them, because which of several tied samples survive depends on
 * the order of Go's {@code container/heap} operations: a k-sized min-heap (max-heap for bottomk) fed in input order,
 * NaN ranking lowest, then Go's sort of the heap (insertion sort, stable, for the small k dashboards use).
 */
final class TopK {
  private TopK() {}

  static List<Sample> select(List<Sample> in, long k, boolean top) {
    int cap = (int) Math.min(k, in.size());
    Sample[] h = new Sample[cap];
    int n = 0;
    for (Sample s : in) {
      if (n < cap) {
        h[n] = s;
        up(h, n, top);
        n++;
      } else if (cap > 0 && replaces(h[0].value(), s.value(), top)) {
        h[0] = s;
        if (cap > 1) {
          if (!down(h, 0, n, top)) {
            up(h, 0, top);
          }
        }
      }
    }
    // sort.Sort(sort.Reverse(heap)): Less reversed, i.e. element j before i when less(i, j).
    for (int i = 1; i < n; i++) {
      for (int j = i; j > 0 && less(h, j - 1, j, top); j--) {
        swap(h, j, j - 1);
      }
    }
    List<Sample> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(h[i]);
    }
    return out;
  }

  private static boolean replaces(double root, double v, boolean top) {
    boolean better = top ? root < v : root > v;
    return better || (Double.isNaN(root) && !Double.isNaN(v));
  }

  /** The heap's Less: NaN first, then ascending (topk) or descending (bottomk). */
  private static boolean less(Sample[] h, int i, int j, boolean top) {
    double a = h[i].value();
    if (Double.isNaN(a)) {
      return true;
    }
    double b = h[j].value();
    return top ? a < b : a > b;
  }

  private static void swap(Sample[] h, int i, int j) {
    Sample t = h[i];
    h[i] = h[j];
    h[j] = t;
  }

  private static void up(Sample[] h, int j, boolean top) {
    while (true) {
      int i = (j - 1) / 2;
      if (i == j || !less(h, j, i, top)) {
        break;
      }
      swap(h, i, j);
      j = i;
    }
  }

  private static boolean down(Sample[] h, int i0, int n, boolean top) {
    int i = i0;
    while (true) {
      int j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) {
        break;
      }
      int j = j1;
      int j2 = j1 + 1;
      if (j2 < n && less(h, j2, j1, top)) {
        j = j2;
      }
      if (!less(h, j, i, top)) {
        break;
      }
      swap(h, i, j);
      i = j;
    }
    return i > i0;
  }
}
