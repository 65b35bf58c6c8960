package io.acceltel.aggregator.storage;

import java.time.Duration;

final class TestConfigs {
  static final Resolution S10 = Resolution.of(Duration.ofSeconds(10));
  static final Resolution M1 = Resolution.of(Duration.ofMinutes(1));
  static final Resolution M5 = Resolution.of(Duration.ofMinutes(5));
  static final Resolution H1 = Resolution.of(Duration.ofHours(1));

  private TestConfigs() {
  }

  /** Default tiers, short blocks so that a few hours of data cut several blocks per resolution; no retention. */
  static StorageConfig.Builder shortBlocks() {
    return StorageConfig.builder()
        .blockDuration(Resolution.RAW, Duration.ofMinutes(10))
        .blockDuration(S10, Duration.ofMinutes(10))
        .blockDuration(M1, Duration.ofMinutes(30))
        .blockDuration(M5, Duration.ofHours(1))
        .blockDuration(H1, Duration.ofHours(2))
        .retention(Resolution.RAW, Duration.ZERO)
        .retention(S10, Duration.ZERO)
        .retention(M1, Duration.ZERO)
        .retention(M5, Duration.ZERO)
        .retention(H1, Duration.ZERO);
  }
}
