package io.acceltel.aggregator.storage.chunk;

/** Flag bits of the first byte of a sample chunk; see {@code docs/storage-format.md}. */
final class ChunkFormat {
  private ChunkFormat() {
  }

  /** All timestamp deltas are equal: stored once in the header, no per-sample timestamp bits. */
  static final int TS_REGULAR = 1;
  /** Values are decimal fixed-point (v = m / 10^scale), Rice-coded deltas of m; otherwise Gorilla XOR. */
  static final int VAL_DECIMAL = 2;

  static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
}
