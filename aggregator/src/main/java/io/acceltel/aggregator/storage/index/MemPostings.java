package io.acceltel.aggregator.storage.index;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The head's postings: label name → value → refs, appended in ref order so every list stays sorted without
 * sorting. Not thread-safe: {@link io.acceltel.aggregator.storage.head.MemIndex} guards it with a read-write lock.
 *
 * <pre>{@code
 * MemPostings p = new MemPostings();
 * p.add(0, "job", "train");
 * int[] refs = p.get("job", "train");
 * }</pre>
 */
public final class MemPostings {
  private final Map<String, Map<String, IntList>> byName = new HashMap<>();
  private final IntList all = new IntList();

  public void addSeries(int ref) {
    all.add(ref);
  }

  public void add(int ref, String name, String value) {
    byName.computeIfAbsent(name, k -> new HashMap<>()).computeIfAbsent(value, k -> new IntList()).add(ref);
  }

  public int[] get(String name, String value) {
    Map<String, IntList> values = byName.get(name);
    IntList l = values == null ? null : values.get(value);
    return l == null ? Postings.EMPTY : l.toArray();
  }

  public int[] all() {
    return all.toArray();
  }

  public Collection<String> values(String name) {
    Map<String, IntList> values = byName.get(name);
    return values == null ? List.of() : List.copyOf(values.keySet());
  }

  public Collection<String> names() {
    return List.copyOf(byName.keySet());
  }

  /** A growable int array. */
  static final class IntList {
    private int[] a = new int[2];
    private int n;

    void add(int v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n + (n >> 1) + 1);
      }
      a[n++] = v;
    }

    int[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
