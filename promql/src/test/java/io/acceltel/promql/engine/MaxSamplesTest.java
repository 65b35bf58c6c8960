package io.acceltel.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.series.Labels;
import io.acceltel.promql.promqltest.MemoryQueryable;
import java.time.Duration;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/**
 * The smallest max-samples limit each query runs under equals Prometheus 2.42's (measured with
 * {@code --query.max-samples} on the same data: two series of 240 samples every 15s).
 */
class MaxSamplesTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final long END = T0 + 3_585_000L;
  private final Engine engine = new Engine();
  private final MemoryQueryable store = new MemoryQueryable();

  MaxSamplesTest() {
    for (int i = 0; i < 240; i++) {
      store.add(Labels.of("__name__", "dup", "a", "1"), T0 + i * 15_000L, i * 15);
      store.add(Labels.of("__name__", "other", "a", "1"), T0 + i * 15_000L, i * 30);
    }
  }

  private static QueryOptions limit(long n) {
    return new QueryOptions(Duration.ofMinutes(5), n, Duration.ofMinutes(1), 0);
  }

  private static long smallestLimit(LongConsumer query) {
    for (long n = 1; n < 2000; n++) {
      try {
        query.accept(n);
        return n;
      } catch (QueryException e) {
        assertThat(e.type()).isEqualTo(QueryException.Type.EXECUTION);
      }
    }
    return -1;
  }

  private long instant(String q) {
    return smallestLimit(n -> engine.instant(store, q, END, limit(n), () -> false));
  }

  private long range(String q) {
    return smallestLimit(n -> engine.range(store, q, T0, END, 15_000, limit(n), () -> false));
  }

  @Test
  void instantQueries() {
    assertThat(instant("dup")).isEqualTo(1);
    assertThat(instant("sum({__name__=~\"dup|other\"})")).isEqualTo(5);
    assertThat(instant("dup[1h]")).isEqualTo(240);
    assertThat(instant("rate(dup[1h])")).isEqualTo(241);
    assertThat(instant("{__name__=~\"dup|other\"}[1h]")).isEqualTo(480);
  }

  @Test
  void rangeQueries() {
    assertThat(range("dup")).isEqualTo(240);
    assertThat(range("rate(dup[1m])")).isEqualTo(244);
    assertThat(range("sum({__name__=~\"dup|other\"})")).isEqualTo(722);
    assertThat(range("{__name__=~\"dup|other\"}")).isEqualTo(480);
  }
}
