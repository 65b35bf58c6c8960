package io.acceltel.exporter.simulated;

/**
 * Counter-based pseudo-random numbers: a value is a hash of (seed, stream, index), so the simulated devices produce
 * the same readings for the same seed and tick timestamps regardless of thread scheduling or the order of reads.
 */
final class Noise {
  private Noise() {}

  /** A value uniform in [0, 1) for this seed, stream and index. */
  static double unit(long seed, long stream, long index) {
    return (bits(seed, stream, index) >>> 11) * 0x1.0p-53;
  }

  /** A 64-bit hash of the three values. */
  static long bits(long seed, long stream, long index) {
    return mix(seed ^ mix(stream * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L) ^ mix(index + 0x2545F4914F6CDD1DL));
  }

  /** SplitMix64's finalizer (Steele, Lea, Flood 2014): a bijection with good avalanche. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
