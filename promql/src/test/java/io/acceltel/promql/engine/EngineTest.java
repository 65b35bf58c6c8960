package io.acceltel.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.model.series.Labels;
import io.acceltel.promql.promqltest.MemoryQueryable;
import io.acceltel.promql.value.Matrix;
import io.acceltel.promql.value.Scalar;
import io.acceltel.promql.value.StringValue;
import io.acceltel.promql.value.Vector;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine's API contract: result types, range-query validation, lookback option, limits and cancellation. */
class EngineTest {
  private final Engine engine = new Engine();
  private final MemoryQueryable store = new MemoryQueryable();

  @BeforeEach
  void load() {
    for (int i = 0; i <= 100; i++) {
      store.add(Labels.of("__name__", "gpu_util", "node", "n1"), i * 10_000L, i);
      store.add(Labels.of("__name__", "gpu_util", "node", "n2"), i * 10_000L, 2 * i);
    }
  }

  @Test
  void stringAndScalarResults() {
    assertThat(engine.instant(store, "\"hello\"", 5000, QueryOptions.DEFAULT, () -> false).value())
        .isEqualTo(new StringValue(5000, "hello"));
    assertThat(engine.instant(store, "1 + 2", 5000, QueryOptions.DEFAULT, () -> false).value())
        .isEqualTo(new Scalar(5000, 3));
  }

  @Test
  void rangeSelectorInInstantQueryGivesMatrixWithStoredTimestamps() {
    Matrix m = (Matrix) engine.instant(store, "gpu_util{node=\"n1\"}[20s]", 100_000, QueryOptions.DEFAULT,
        () -> false).value();
    assertThat(m.series()).hasSize(1);
    assertThat(m.series().get(0).timestamps()).containsExactly(80_000L, 90_000L, 100_000L);
    assertThat(m.series().get(0).labels().metricName()).isEqualTo("gpu_util");
  }

  @Test
  void rangeQueryIsSortedByLabelsAndStampsStepTimes() {
    Matrix m = (Matrix) engine.range(store, "sort_desc(gpu_util)", 0, 60_000, 30_000, QueryOptions.DEFAULT,
        () -> false).value();
    assertThat(m.series()).extracting(s -> s.labels().get("node")).containsExactly("n1", "n2");
    assertThat(m.series().get(1).timestamps()).containsExactly(0L, 30_000L, 60_000L);
    assertThat(m.series().get(1).values()).containsExactly(0, 6, 12);
  }

  @Test
  void rangeQueryRejectsRangeVectorsAndBadSteps() {
    assertThatThrownBy(() -> engine.range(store, "gpu_util[5m]", 0, 10, 1, QueryOptions.DEFAULT, () -> false))
        .isInstanceOf(QueryException.class)
        .hasMessage("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector")
        .extracting(e -> ((QueryException) e).type()).isEqualTo(QueryException.Type.BAD_DATA);
    assertThatThrownBy(() -> engine.range(store, "gpu_util", 0, 10, 0, QueryOptions.DEFAULT, () -> false))
        .hasMessageContaining("zero or negative query resolution step widths are not accepted");
  }

  @Test
  void parseErrorsAreBadData() {
    assertThatThrownBy(() -> engine.instant(store, "sum(gpu_util", 0, QueryOptions.DEFAULT, () -> false))
        .isInstanceOf(QueryException.class)
        .hasMessage("1:13: parse error: unclosed left parenthesis")
        .extracting(e -> ((QueryException) e).type()).isEqualTo(QueryException.Type.BAD_DATA);
  }

  /** ((a{1000}){1000}){1000} would compile to 10^9 instructions: refused as bad data, before it exhausts the heap. */
  @Test
  void regexesThatWouldCompileTooLargeAreRefusedInSelectorsAndLabelReplace() {
    for (String bomb : new String[] {"((a{1000}){1000}){1000}", "a)((a{1000}){1000}){1000}(?:"}) {
      refusedAsTooLarge(bomb);
    }
  }

  private void refusedAsTooLarge(String bomb) {
    assertThatThrownBy(() -> engine.instant(store, "gpu_util{node=~\"" + bomb + "\"}", 0, QueryOptions.DEFAULT,
        () -> false))
        .isInstanceOf(QueryException.class)
        .hasMessageStartingWith("1:10: parse error: regular expression for label node is too large")
        .extracting(e -> ((QueryException) e).type()).isEqualTo(QueryException.Type.BAD_DATA);
    assertThatThrownBy(() -> engine.instant(store, "label_replace(gpu_util, \"x\", \"$1\", \"node\", \"" + bomb
        + "\")", 0, QueryOptions.DEFAULT, () -> false))
        .isInstanceOf(QueryException.class)
        .hasMessageStartingWith("regular expression in label_replace() is too large")
        .extracting(e -> ((QueryException) e).type()).isEqualTo(QueryException.Type.EXECUTION);
  }

  @Test
  void lookbackDeltaIsPerQuery() {
    QueryOptions shortLookback = new QueryOptions(Duration.ofSeconds(30), 1_000_000, Duration.ofMinutes(1),
        0);
    // The last sample is at 1000s: 1040s is 40s later, inside 5m but outside a 30s lookback.
    assertThat(((Vector) engine.instant(store, "gpu_util", 1_040_000, QueryOptions.DEFAULT, () -> false).value())
        .samples()).hasSize(2);
    assertThat(((Vector) engine.instant(store, "gpu_util", 1_040_000, shortLookback, () -> false).value())
        .samples()).isEmpty();
  }

  @Test
  void maxSamplesFailsWithPrometheusMessage() {
    QueryOptions tiny = new QueryOptions(Duration.ofMinutes(5), 10, Duration.ofMinutes(1), 0);
    assertThatThrownBy(() -> engine.range(store, "gpu_util", 0, 100_000, 10_000, tiny, () -> false))
        .isInstanceOf(QueryException.class)
        .hasMessage("query processing would load too many samples into memory in query execution")
        .extracting(e -> ((QueryException) e).type()).isEqualTo(QueryException.Type.EXECUTION);
    assertThatThrownBy(() -> engine.instant(store, "gpu_util[5m]", 1_000_000, tiny, () -> false))
        .hasMessageContaining("too many samples");
    assertThat(engine.instant(store, "gpu_util", 1_000_000, tiny, () -> false).value()).isInstanceOf(Vector.class);
  }

  @Test
  void cancellationIsPolled() {
    AtomicInteger polls = new AtomicInteger();
    assertThatThrownBy(() -> engine.range(store, "rate(gpu_util[1m])", 0, 1_000_000, 1000, QueryOptions.DEFAULT,
        () -> polls.incrementAndGet() > 3))
        .isInstanceOf(QueryException.class)
        .extracting(e -> ((QueryException) e).type()).isEqualTo(QueryException.Type.CANCELED);
  }

  @Test
  void timeoutFailsWithTimeoutType() {
    QueryOptions noTime = new QueryOptions(Duration.ofMinutes(5), 50_000_000, Duration.ofNanos(1), 0);
    assertThatThrownBy(() -> engine.range(store, "rate(gpu_util[1m])", 0, 10_000_000, 1000, noTime, () -> false))
        .isInstanceOf(QueryException.class)
        .hasMessage("query timed out in expression evaluation")
        .extracting(e -> ((QueryException) e).type()).isEqualTo(QueryException.Type.TIMEOUT);
  }

  @Test
  void duplicateLabelSetsAfterDroppingNamesFail() {
    store.add(Labels.of("__name__", "other", "node", "n1"), 0, 1);
    assertThatThrownBy(() -> engine.instant(store, "abs({node=\"n1\"})", 0, QueryOptions.DEFAULT, () -> false))
        .hasMessage("vector cannot contain metrics with the same labelset");
  }
}
