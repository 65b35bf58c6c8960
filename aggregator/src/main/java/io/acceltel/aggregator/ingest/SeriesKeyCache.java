package io.acceltel.aggregator.ingest;

import java.util.Arrays;

/**
 * Maps the raw bytes that identify a series in a payload (metric name plus encoded labels) to the storage's series
 * reference, so the hot path resolves a sample's series by hashing bytes, without building label strings. Open
 * addressing with linear probing; cleared when full (series churn) and when the storage renumbers its series,
 * after which refs are resolved again.
 *
 * <p>Full means either as many entries as the head may hold series, or that many times 512 key bytes: there is one
 * cache per ingest thread, outside the head's accounting, so series with unusually long label sets must not make the
 * caches grow past a bound proportional to the head.
 */
final class SeriesKeyCache {
  /** Key bytes a cache may hold at least: 128 MiB, about 600,000 series of 220-byte label sets. */
  static final long MIN_KEY_BYTES = 128L << 20;
  /**
   * Key bytes allowed per entry beyond that: an exporter series' key (name and labels) is 200-250 bytes, so a cache
   * sized for the head's series limit holds the whole working set; starting again every tick would make every
   * sample resolve its labels.
   */
  static final long KEY_BYTES_PER_ENTRY = 512;
  private static final int MISSING = -1;
  private final int maxEntries;
  private final long maxKeyBytes;
  private long[] hashes;
  private byte[][] keys;
  private int[] refs;
  private int size;
  private long keyBytes;
  private long generation;

  /** @param maxEntries the head's series limit: a ref is only cached for a series the head holds */
  SeriesKeyCache(int maxEntries) {
    this(maxEntries, Math.max(MIN_KEY_BYTES, maxEntries * KEY_BYTES_PER_ENTRY));
  }

  SeriesKeyCache(int maxEntries, long maxKeyBytes) {
    this.maxEntries = maxEntries;
    this.maxKeyBytes = maxKeyBytes;
    allocate(1 << 12);
  }

  /** Call before each payload: drops every cached ref when the storage's ref generation has moved. */
  void useGeneration(long current) {
    if (current != generation) {
      startAgain(1 << 12);
      generation = current;
    }
  }

  /** Forgets every entry, with a table of {@code capacity} slots. */
  private void startAgain(int capacity) {
    allocate(capacity);
    size = 0;
    keyBytes = 0;
  }

  private void allocate(int capacity) {
    hashes = new long[capacity];
    keys = new byte[capacity][];
    refs = new int[capacity];
  }

  /** The ref for key bytes {@code buf[from, to)} with the given hash, or -1. */
  int get(long hash, byte[] buf, int from, int to) {
    int mask = keys.length - 1;
    for (int i = (int) mix(hash) & mask; ; i = (i + 1) & mask) {
      byte[] k = keys[i];
      if (k == null) {
        return MISSING;
      }
      if (hashes[i] == hash && Arrays.equals(k, 0, k.length, buf, from, to)) {
        return refs[i];
      }
    }
  }

  /**
   * Remembers {@code ref} for the key, an array that no one else changes: the cache keeps it as it is. A
   * {@link SeriesResolver#REFUSED} ref is not kept, so it is asked for again.
   */
  void putOwned(long hash, byte[] key, int ref) {
    if (ref == SeriesResolver.REFUSED) {
      return;
    }
    if (size >= maxEntries || keyBytes + key.length > maxKeyBytes) {
      startAgain(keys.length);
    } else if ((size + 1) * 2 > keys.length) {
      grow();
    }
    insert(hash, key, ref);
    size++;
    keyBytes += key.length;
  }

  private void insert(long hash, byte[] key, int ref) {
    int mask = keys.length - 1;
    int i = (int) mix(hash) & mask;
    while (keys[i] != null) {
      i = (i + 1) & mask;
    }
    hashes[i] = hash;
    keys[i] = key;
    refs[i] = ref;
  }

  private void grow() {
    long[] oldHashes = hashes;
    byte[][] oldKeys = keys;
    int[] oldRefs = refs;
    allocate(keys.length * 2);
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != null) {
        insert(oldHashes[i], oldKeys[i], oldRefs[i]);
      }
    }
  }

  int size() {
    return size;
  }

  long maxKeyBytes() {
    return maxKeyBytes;
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    return h ^ (h >>> 33);
  }

  private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
      long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /**
   * Hashes a byte range, continuing from {@code seed}, eight bytes at a time: this runs for every sample on the
   * ingest path, where a byte-at-a-time hash was a tenth of the decode cost. Collisions only cost a compare.
   */
  static long hash(long seed, byte[] buf, int from, int to) {
    long h = seed ^ (to - from);
    int i = from;
    for (; i + 8 <= to; i += 8) {
      h = Long.rotateLeft(h ^ ((long) LONGS.get(buf, i) * 0x9E3779B97F4A7C15L), 29) * 0xBF58476D1CE4E5B9L;
    }
    long tail = 0;
    for (int shift = 0; i < to; i++, shift += 8) {
      tail |= (buf[i] & 0xFFL) << shift;
    }
    return Long.rotateLeft(h ^ (tail * 0x9E3779B97F4A7C15L), 29) * 0xBF58476D1CE4E5B9L;
  }

  static final long SEED = 0xcbf29ce484222325L;
}
