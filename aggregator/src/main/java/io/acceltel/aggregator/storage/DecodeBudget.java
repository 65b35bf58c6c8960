package io.acceltel.aggregator.storage;

/**
 * What a query may still load, asked before a selection is decoded: decoding is where a selection's memory goes, so
 * a query over far too many series or samples is refused before it, not after. The sample count given is a lower
 * bound (the chunks that lie wholly inside the range), so a refusal here is one the exact count would make too.
 */
public interface DecodeBudget {
  /** Throws to refuse the selection; {@code samplesAtLeast} is a lower bound of the samples it would load. */
  void beforeDecoding(int series, long samplesAtLeast);

  /** Polled while decoding: true leaves the remaining series undecoded. */
  default boolean canceled() {
    return false;
  }

  DecodeBudget UNLIMITED = (series, samplesAtLeast) -> { };
}
