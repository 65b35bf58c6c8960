package io.acceltel.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.promql.promqltest.MemoryQueryable;
import io.acceltel.promql.storage.SelectHints;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Select hints are filled as Prometheus fills them, so a tiered store can pick tier and aggregate. */
class SelectHintsTest {
  private final Engine engine = new Engine();
  private final MemoryQueryable store = new MemoryQueryable();

  private SelectHints only(String query, long start, long end, long step) {
    store.hints().clear();
    if (step == 0) {
      engine.instant(store, query, start, QueryOptions.DEFAULT, () -> false);
    } else {
      engine.range(store, query, start, end, step, QueryOptions.DEFAULT, () -> false);
    }
    assertThat(store.hints()).hasSize(1);
    return store.hints().get(0);
  }

  @Test
  void instantSelectorCoversLookback() {
    SelectHints h = only("x", 1_000_000, 0, 0);
    assertThat(h.start()).isEqualTo(1_000_000 - 300_000);
    assertThat(h.end()).isEqualTo(1_000_000);
    assertThat(h.rangeMillis()).isZero();
    assertThat(h.stepMillis()).isZero();
    assertThat(h.function()).isEmpty();
  }

  @Test
  void rangeFunctionCoversRangeAndNamesFunction() {
    SelectHints h = only("max_over_time(x[10m] offset 1m)", 1_000_000, 2_000_000, 60_000);
    assertThat(h.start()).isEqualTo(1_000_000 - 600_000 - 60_000);
    assertThat(h.end()).isEqualTo(2_000_000 - 60_000);
    assertThat(h.rangeMillis()).isEqualTo(600_000);
    assertThat(h.stepMillis()).isEqualTo(60_000);
    assertThat(h.function()).isEqualTo("max_over_time");
  }

  @Test
  void aggregationNamesItselfAndItsGrouping() {
    SelectHints h = only("sum by (node) (x)", 1_000_000, 0, 0);
    assertThat(h.function()).isEqualTo("sum");
    assertThat(h.grouping()).isEqualTo(List.of("node"));
    assertThat(only("min(rate(x[5m]))", 1_000_000, 0, 0).function()).isEqualTo("rate");
    assertThat(only("x + 1", 1_000_000, 0, 0).function()).isEmpty();
  }

  @Test
  void atModifierPinsTheRange() {
    SelectHints h = only("x @ 500", 1_000_000, 2_000_000, 60_000);
    assertThat(h.start()).isEqualTo(500_000 - 300_000);
    assertThat(h.end()).isEqualTo(500_000);
  }

  @Test
  void subqueryWidensTheRange() {
    SelectHints h = only("max_over_time(x[10m:1m])", 1_200_000, 0, 0);
    assertThat(h.start()).isEqualTo(1_200_000 - 600_000 - 300_000);
    assertThat(h.end()).isEqualTo(1_200_000);
  }
}
