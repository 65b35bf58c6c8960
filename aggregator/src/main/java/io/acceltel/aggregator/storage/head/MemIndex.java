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

/**
 * The head's series registry: labels → series (lock-free lookup for the ingest's {@code ref()}), ref → series
 * (an array), postings for matchers, and a symbol table so that the label strings the series share (node, GPU
 * UUID, job) are held once. New series take the write lock; queries read postings under the read lock through
 * {@link #lockedView()}.
 *
 * <pre>{@code
 * MemSeries s = index.getOrCreate(labels, tierCount);
 * }</pre>
 */
public final class MemIndex {
  private final ConcurrentHashMap<Labels, MemSeries> byLabels = new ConcurrentHashMap<>();
  private final Map<String, String> symbols = new HashMap<>();
  private final MemPostings postings = new MemPostings();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /** Grown by copy; published before the postings that point into it (under the write lock). */
  private volatile MemSeries[] byRef = new MemSeries[1024];
  private volatile int size;

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
      throw new IllegalArgumentException("unknown series ref " + ref + ": take refs from Appender.ref(labels)");
    }
    return arr[ref];
  }

  public int size() {
    return size;
  }

  /** Any thread: the series of a ref known to exist (from postings or below {@link #size()}). */
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
