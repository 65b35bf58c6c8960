package io.acceltel.aggregator.storage.head;

import io.acceltel.aggregator.storage.index.LabelIndex;
import io.acceltel.aggregator.storage.index.MemPostings;
import io.acceltel.model.series.Labels;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The head's series registry: labels → series (lock-free lookup for the ingest's {@code ref()}), ref → series
 * (an array), postings for matchers, and a symbol table so that the label strings the series share (node, GPU
 * UUID, job) are held once. New series take the write lock; queries read postings under the read lock through
 * {@link #lockedView()}.
 *
 * <p>Series that stopped leave at {@link #removeAndRenumber}: the rest are renumbered densely, so refs stay small
 * and postings stay sorted, and the {@link #generation()} changes so that whoever caches refs drops them.
 *
 * <pre>{@code
 * MemSeries s = index.getOrCreate(labels, tierCount);
 * }</pre>
 */
public final class MemIndex {
  private final ConcurrentHashMap<Labels, MemSeries> byLabels = new ConcurrentHashMap<>();
  private Map<String, String> symbols = new HashMap<>();
  /** Replaced, not changed, by a renumbering; read under the lock. */
  private MemPostings postings = new MemPostings();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /** Grown by copy; published before the postings that point into it (under the write lock). */
  private volatile MemSeries[] byRef = new MemSeries[1024];
  private volatile int size;
  private volatile long generation;
  private volatile long removed;

  /** Writer thread only. */
  MemSeries getOrCreate(Labels labels, int tierCount) {
    MemSeries s = byLabels.get(labels);
    if (s != null) {
      return s;
    }
    Labels interned = intern(labels);
    lock.writeLock().lock();
    try {
      int ref = size;
      s = new MemSeries(ref, interned, tierCount);
      MemSeries[] arr = byRef;
      if (ref == arr.length) {
        arr = Arrays.copyOf(arr, arr.length * 2);
      }
      arr[ref] = s;
      byRef = arr;
      size = ref + 1;
      postings.addSeries(ref);
      for (int i = 0; i < interned.size(); i++) {
        postings.add(ref, interned.name(i), interned.value(i));
      }
      byLabels.put(interned, s);
      return s;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private Labels intern(Labels labels) {
    String[] nv = new String[labels.size() * 2];
    for (int i = 0; i < labels.size(); i++) {
      nv[2 * i] = symbols.computeIfAbsent(labels.name(i), k -> k);
      nv[2 * i + 1] = symbols.computeIfAbsent(labels.value(i), k -> k);
    }
    return Labels.of(nv);
  }

  /** The series of a ref; throws when the ref was never handed out. */
  MemSeries get(int ref) {
    MemSeries[] arr = byRef;
    if (ref < 0 || ref >= arr.length || arr[ref] == null) {
      throw new IllegalArgumentException("unknown series ref " + ref + ": take refs from Appender.ref(labels), "
          + "and again after refGeneration() changes");
    }
    return arr[ref];
  }

  public int size() {
    return size;
  }

  /** Whether a series with exactly these labels is in the head. Any thread. */
  public boolean contains(Labels labels) {
    return byLabels.containsKey(labels);
  }

  /** Refs handed out stay valid while this stays the same; {@link #removeAndRenumber} changes it. */
  public long generation() {
    return generation;
  }

  /** Series removed by {@link #removeAndRenumber} since the index was made. */
  public long removed() {
    return removed;
  }

  /**
   * Calls {@code action} with every series. Any thread: a renumbering that runs meanwhile may make it see some
   * series twice or not at all, which sizes and gauges tolerate; the writer thread sees each exactly once.
   */
  public void forEach(Consumer<MemSeries> action) {
    MemSeries[] arr = byRef;
    int n = Math.min(size, arr.length);
    for (int ref = 0; ref < n; ref++) {
      MemSeries s = arr[ref];
      if (s != null) {
        action.accept(s);
      }
    }
  }

  /**
   * Removes the series that {@code remove} picks and renumbers the others densely in their old order, so postings
   * are rebuilt sorted; the symbols of removed series go too. Returns the new ref of each old one (-1 when removed),
   * or null when none was. Only while nothing appends or resolves: every ref handed out before is void, and the
   * {@link #generation()} moves on to say so.
   */
  int[] removeAndRenumber(Predicate<MemSeries> remove) {
    MemSeries[] old = byRef;
    int n = size;
    int[] newRef = new int[n];
    int live = 0;
    for (int ref = 0; ref < n; ref++) {
      newRef[ref] = remove.test(old[ref]) ? -1 : live++;
    }
    if (live == n) {
      return null;
    }
    // Built aside, then swapped in under the lock: queries wait only for the swap, not for the rebuild.
    MemSeries[] arr = new MemSeries[Math.max(1024, Integer.highestOneBit(Math.max(1, live)) << 1)];
    MemPostings rebuilt = new MemPostings();
    Map<String, String> liveSymbols = new HashMap<>();
    for (int ref = 0; ref < n; ref++) {
      MemSeries s = old[ref];
      if (newRef[ref] < 0) {
        byLabels.remove(s.labels);
        continue;
      }
      s.ref = newRef[ref]; // only the writer reads it
      arr[s.ref] = s;
      rebuilt.addSeries(s.ref);
      for (int i = 0; i < s.labels.size(); i++) {
        rebuilt.add(s.ref, s.labels.name(i), s.labels.value(i));
        liveSymbols.putIfAbsent(s.labels.name(i), s.labels.name(i));
        liveSymbols.putIfAbsent(s.labels.value(i), s.labels.value(i));
      }
    }
    lock.writeLock().lock();
    try {
      postings = rebuilt;
      symbols = liveSymbols;
      byRef = arr;
      size = live;
      removed += n - live;
      generation++;
      return newRef;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * The series of a ref below {@link #size()}: on the writer thread (or while it waits), since a renumbering may
   * shrink the index. Other threads use {@link #forEach} or a {@link #lockedView()}.
   */
  public MemSeries series(int ref) {
    return byRef[ref];
  }

  /** Locks the postings for reading; close the view to unlock. Keep it short: new series wait. */
  public View lockedView() {
    lock.readLock().lock();
    return new View();
  }

  /** A {@link LabelIndex} over the head, valid until closed. */
  public final class View implements LabelIndex, AutoCloseable {
    @Override
    public int[] allPostings() {
      return postings.all();
    }

    @Override
    public Collection<String> values(String name) {
      return postings.values(name);
    }

    @Override
    public int[] postings(String name, String value) {
      return postings.get(name, value);
    }

    @Override
    public Labels labels(int ref) {
      return byRef[ref].labels;
    }

    public MemSeries series(int ref) {
      return byRef[ref];
    }

    @Override
    public void close() {
      lock.readLock().unlock();
    }
  }
}
