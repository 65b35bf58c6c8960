package io.acceltel.aggregator.storage.index;

import java.util.Arrays;
import java.util.List;

/**
 * Set operations on postings: sorted, duplicate-free arrays of series refs.
 *
 * <pre>{@code
 * int[] both = Postings.intersect(new int[] {1, 3, 5}, new int[] {3, 5, 7});   // {3, 5}
 * }</pre>
 */
public final class Postings {
  public static final int[] EMPTY = new int[0];

  private Postings() {
  }

  public static int[] intersect(int[] a, int[] b) {
    int[] out = new int[Math.min(a.length, b.length)];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.length && j < b.length) {
      if (a[i] < b[j]) {
        i++;
      } else if (a[i] > b[j]) {
        j++;
      } else {
        out[n++] = a[i];
        i++;
        j++;
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  public static int[] union(int[] a, int[] b) {
    int[] out = new int[a.length + b.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i] < b[j])) {
        out[n++] = a[i++];
      } else if (i >= a.length || b[j] < a[i]) {
        out[n++] = b[j++];
      } else {
        out[n++] = a[i];
        i++;
        j++;
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  public static int[] union(List<int[]> lists) {
    int[] out = EMPTY;
    for (int[] l : lists) {
      out = union(out, l);
    }
    return out;
  }

  /** {@code a} without the members of {@code b}. */
  public static int[] subtract(int[] a, int[] b) {
    int[] out = new int[a.length];
    int j = 0;
    int n = 0;
    for (int x : a) {
      while (j < b.length && b[j] < x) {
        j++;
      }
      if (j >= b.length || b[j] != x) {
        out[n++] = x;
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }
}
