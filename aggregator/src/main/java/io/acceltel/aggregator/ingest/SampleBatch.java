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
  private int refused;
  // Scratch for SampleWriter: positions grouped by stripe, and which positions were appended.
  private int[] order = new int[1024];
  private int[] stripeStart = new int[2];
  private boolean[] fresh = new boolean[1024];

  /** Adds one sample, as a decoder does; public for writers of samples that do not come from a decoder. */
  public void append(int ref, long timestampMillis, double value) {
    add(ref, timestampMillis, value);
  }

  void clear() {
    size = 0;
    skipped = 0;
    refused = 0;
  }

  /** A sample of a {@link SeriesResolver#REFUSED} series is counted as refused, not kept. */
  void add(int ref, long timestampMillis, double value) {
    if (ref == SeriesResolver.REFUSED) {
      refused++;
      return;
    }
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

  /**
   * Gives the samples of staged series their resolved refs ({@code resolved[FIRST_PLACEHOLDER - placeholder]}, see
   * {@link StagedSeries}); samples of a series the head refused ({@link SeriesResolver#REFUSED}) are taken out and
   * counted as refused, as {@link #add} does.
   */
  void replacePlaceholders(int[] resolved) {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      int ref = refs[i];
      if (ref <= StagedSeries.FIRST_PLACEHOLDER) {
        ref = resolved[StagedSeries.FIRST_PLACEHOLDER - ref];
        if (ref == SeriesResolver.REFUSED) {
          refused++;
          continue;
        }
      }
      refs[kept] = ref;
      timestamps[kept] = timestamps[i];
      values[kept] = values[i];
      kept++;
    }
    size = kept;
  }

  /** Points of a kind acceltel does not store (histograms, summaries, delta sums); counted, not poison. */
  void skip(int points) {
    skipped += points;
  }

  /** Samples of series the head had no room for ({@link SeriesResolver#REFUSED}): counted, not appended. */
  public int refused() {
    return refused;
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

  /**
   * Groups the positions by stripe ({@code ref & (stripes - 1)}, stripes a power of two), keeping batch order
   * within a stripe: stripe {@code s} is {@code order[stripeStart(s)]} up to {@code stripeStart(s + 1)}.
   */
  void groupByStripe(int stripes) {
    if (order.length < size) {
      order = new int[refs.length];
      fresh = new boolean[refs.length];
    }
    if (stripeStart.length != stripes + 1) {
      stripeStart = new int[stripes + 1];
    }
    Arrays.fill(stripeStart, 0);
    int mask = stripes - 1;
    for (int i = 0; i < size; i++) {
      stripeStart[(refs[i] & mask) + 1]++;
    }
    for (int s = 0; s < stripes; s++) {
      stripeStart[s + 1] += stripeStart[s];
    }
    int[] next = Arrays.copyOf(stripeStart, stripes);
    for (int i = 0; i < size; i++) {
      order[next[refs[i] & mask]++] = i;
    }
  }

  int stripeStart(int stripe) {
    return stripeStart[stripe];
  }

  int position(int k) {
    return order[k];
  }

  /** Whether the sample at a position was appended (set by the writer, for the streaming aggregation). */
  boolean fresh(int i) {
    return fresh[i];
  }

  void fresh(int i, boolean appended) {
    fresh[i] = appended;
  }
}
