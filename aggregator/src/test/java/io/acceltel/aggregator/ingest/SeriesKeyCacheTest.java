package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SeriesKeyCacheTest {
  private static int get(SeriesKeyCache cache, byte[] key) {
    return cache.get(SeriesKeyCache.hash(SeriesKeyCache.SEED, key, 0, key.length), key, 0, key.length);
  }

  private static void put(SeriesKeyCache cache, byte[] key, int ref) {
    cache.putOwned(SeriesKeyCache.hash(SeriesKeyCache.SEED, key, 0, key.length), key.clone(), ref);
  }

  private static byte[] key(int i, int length) {
    byte[] k = new byte[length];
    byte[] id = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(id, 0, k, 0, id.length);
    return k;
  }

  @Test
  void keepsRefsAcrossGrowth() {
    SeriesKeyCache cache = new SeriesKeyCache(100_000);
    for (int i = 0; i < 10_000; i++) {
      put(cache, key(i, 40), i);
    }
    assertThat(cache.size()).isEqualTo(10_000);
    for (int i = 0; i < 10_000; i++) {
      assertThat(get(cache, key(i, 40))).isEqualTo(i);
    }
    assertThat(get(cache, key(10_000, 40))).isEqualTo(-1);
  }

  /** Long label sets fill the byte budget long before the entry limit: the cache starts again rather than grow. */
  @Test
  void startsAgainWhenItsKeysReachTheByteBudget() {
    SeriesKeyCache cache = new SeriesKeyCache(1_000_000, 10_000);
    for (int i = 0; i < 10; i++) {
      put(cache, key(i, 1000), i);
    }
    assertThat(cache.size()).isEqualTo(10);
    put(cache, key(10, 1000), 10);
    assertThat(cache.size()).as("the eleventh 1000-byte key is over 10,000 bytes").isEqualTo(1);
    assertThat(get(cache, key(0, 1000))).isEqualTo(-1);
    assertThat(get(cache, key(10, 1000))).isEqualTo(10);
  }

  /**
   * Sized by the head's series limit: a head of 1.5 million exporter series (keys of 200-250 bytes) must fit, or the
   * cache would start again every tick and every sample resolve its labels.
   */
  @Test
  void theByteBudgetGrowsWithTheHeadsSeriesLimit() {
    assertThat(new SeriesKeyCache(10_000).maxKeyBytes()).isEqualTo(SeriesKeyCache.MIN_KEY_BYTES);
    assertThat(new SeriesKeyCache(1_500_000).maxKeyBytes()).isEqualTo(1_500_000L * 512)
        .isGreaterThan(1_500_000L * 250);
    assertThat(new SeriesKeyCache(Integer.MAX_VALUE).maxKeyBytes()).as("computed in long")
        .isEqualTo(Integer.MAX_VALUE * 512L);
  }

  @Test
  void startsAgainAtTheEntryLimitAndWhenRefsAreRenumbered() {
    SeriesKeyCache cache = new SeriesKeyCache(3);
    for (int i = 0; i < 4; i++) {
      put(cache, key(i, 8), i);
    }
    assertThat(cache.size()).isEqualTo(1);
    assertThat(get(cache, key(3, 8))).isEqualTo(3);
    cache.useGeneration(1);
    assertThat(get(cache, key(3, 8))).isEqualTo(-1);
  }

  @Test
  void doesNotKeepRefusedSeries() {
    SeriesKeyCache cache = new SeriesKeyCache(10);
    put(cache, key(1, 8), SeriesResolver.REFUSED);
    assertThat(cache.size()).isZero();
    assertThat(get(cache, key(1, 8))).isEqualTo(-1);
  }
}
