package io.acceltel.aggregator.storage;

import java.util.ArrayList;
import java.util.List;

/** The reference: window aggregates computed the obvious way from the raw samples of one series. */
final class Naive {
  static final long STALE_BITS = 0x7ff0000000000002L;

  record Window(long start, long lastT, long count, double sum, double min, double max, double last,
      double counter) {
  }

  private Naive() {
  }

  /**
   * Completed windows of one series (the last window, still open, is left out). Staleness markers are not
   * samples; min/max ignore NaN unless all are NaN; counter is the reset-corrected running total since the first
   * sample, taken at each window's last sample.
   */
  static List<Window> windows(long[] t, double[] v, long res) {
    List<Window> out = new ArrayList<>();
    double total = Double.NaN;
    double prev = Double.NaN;
    long start = Long.MIN_VALUE;
    long lastT = 0;
    long count = 0;
    double sum = 0;
    double min = 0;
    double max = 0;
    double last = 0;
    double counter = 0;
    for (int i = 0; i < t.length; i++) {
      if (Double.doubleToRawLongBits(v[i]) == STALE_BITS) {
        continue;
      }
      if (!Double.isNaN(v[i])) {
        if (Double.isNaN(prev)) {
          total = v[i];
        } else if (v[i] < prev) {
          total += v[i];
        } else {
          total += v[i] - prev;
        }
        prev = v[i];
      }
      long ws = Math.floorDiv(t[i], res) * res;
      if (ws != start) {
        if (count > 0) {
          out.add(new Window(start, lastT, count, sum, min, max, last, counter));
        }
        start = ws;
        count = 0;
        sum = 0;
        min = Double.NaN;
        max = Double.NaN;
      }
      count++;
      sum += v[i];
      if (Double.isNaN(min) || v[i] < min) {
        min = v[i];
      }
      if (Double.isNaN(max) || v[i] > max) {
        max = v[i];
      }
      last = v[i];
      lastT = t[i];
      counter = total;
    }
    return out;
  }

  /** Prometheus-style reset-corrected increase over raw samples in (from, to]. */
  static double increase(long[] t, double[] v, long from, long to) {
    double inc = 0;
    double prev = Double.NaN;
    for (int i = 0; i < t.length; i++) {
      if (Double.isNaN(v[i])) {
        continue;
      }
      if (t[i] > from && t[i] <= to && !Double.isNaN(prev)) {
        inc += v[i] < prev ? v[i] : v[i] - prev;
      }
      prev = v[i];
    }
    return inc;
  }
}
