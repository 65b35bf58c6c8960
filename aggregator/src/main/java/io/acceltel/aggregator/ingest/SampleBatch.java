package io.acceltel.aggregator.ingest;

import java.util.Arrays;

/**
 * Decoded samples of one record, in primitive arrays reused from record to record, so decoding allocates nothing
 * per sample. A record is decoded whole before anything is appended: a poison record leaves nothing behind.
 */
public final class SampleBatch {
  private int[] refs = new int[1024];
  private long[] timestamps = new long[1024];
  private double[] values = new double[1024];
  private int size;
  private int skipped;

  /** Adds one sample, as a decoder does; public for writers of samples that do not come from a decoder. */
  public void append(int ref, long timestampMillis, double value) {
    add(ref, timestampMillis, value);
  }

  void clear() {
    size = 0;
    skipped = 0;
  }

  void add(int ref, long timestampMillis, double value) {
    if (size == refs.length) {
      int n = size * 2;
      refs = Arrays.copyOf(refs, n);
      timestamps = Arrays.copyOf(timestamps, n);
      values = Arrays.copyOf(values, n);
    }
    refs[size] = ref;
    timestamps[size] = timestampMillis;
    values[size] = value;
    size++;
  }

  /** Points of a kind acceltel does not store (histograms, summaries, delta sums); counted, not poison. */
  void skip(int points) {
    skipped += points;
  }

  public int size() {
    return size;
  }

  public int skipped() {
    return skipped;
  }

  public int ref(int i) {
    return refs[i];
  }

  public long timestamp(int i) {
    return timestamps[i];
  }

  public double value(int i) {
    return values[i];
  }
}
