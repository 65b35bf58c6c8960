package io.acceltel.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import io.acceltel.promql.storage.Queryable;
import io.acceltel.promql.storage.SelectHints;
import io.acceltel.promql.storage.StoredSeries;
import io.acceltel.promql.value.Vector;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Functions over a downsampled tier read the window aggregates, so they equal what raw data would give: here 12
 * windows of 5m, window i holding i+1 raw samples of value i (so counts differ and the mean of window means would
 * be wrong).
 */
class DownsampledTierTest {
  private static final long RES = 300_000;
  private static final int WINDOWS = 12;

  /** A tier store that answers every select with the per-window aggregates. */
  private static final class TierStore implements Queryable {
    @Override
    public List<StoredSeries> select(SelectHints hints, List<LabelMatcher> matchers) {
      return List.of(new StoredSeries() {
        @Override
        public Labels labels() {
          return Labels.of("__name__", "power", "node", "n1");
        }

        @Override
        public int size() {
          return WINDOWS;
        }

        @Override
        public long timestamp(int i) {
          return (i + 1) * RES - 1; // the window's last instant
        }

        @Override
        public double value(int i) {
          return Double.NaN; // the engine reads the aggregate it needs, whatever the store put here
        }

        @Override
        public WindowAggregates aggregates() {
          return new WindowAggregates() {
            @Override
            public long resolutionMillis() {
              return RES;
            }

            @Override
            public double count(int i) {
              return i + 1;
            }

            @Override
            public double sum(int i) {
              return (double) i * (i + 1);
            }

            @Override
            public double min(int i) {
              return i - 0.5;
            }

            @Override
            public double max(int i) {
              return i + 0.5;
            }

            @Override
            public double last(int i) {
              return i;
            }

            @Override
            public double counter(int i) {
              return 100.0 * (i + 1); // +100 per window
            }
          };
        }
      });
    }
  }

  private double eval(String q) {
    Vector v = (Vector) new Engine().instant(new TierStore(), q, WINDOWS * RES - 1, QueryOptions.DEFAULT,
        () -> false).value();
    assertThat(v.samples()).hasSize(1);
    return v.samples().get(0).value();
  }

  @Test
  void overTimeFunctionsUseTheAggregates() {
    double sum = 0;
    double count = 0;
    for (int i = 0; i < WINDOWS; i++) {
      sum += (double) i * (i + 1);
      count += i + 1;
    }
    assertThat(eval("count_over_time(power[1h])")).isEqualTo(count);
    assertThat(eval("sum_over_time(power[1h])")).isEqualTo(sum);
    assertThat(eval("avg_over_time(power[1h])")).isEqualTo(sum / count);
    assertThat(eval("min_over_time(power[1h])")).isEqualTo(-0.5);
    assertThat(eval("max_over_time(power[1h])")).isEqualTo(WINDOWS - 1 + 0.5);
  }

  @Test
  void plainSelectorReadsLastAndMinMaxAggregationsReadMinMax() {
    assertThat(eval("power")).isEqualTo(WINDOWS - 1);
    assertThat(eval("sum(power)")).isEqualTo(WINDOWS - 1);
    assertThat(eval("min(power)")).isEqualTo(WINDOWS - 1 - 0.5);
    assertThat(eval("max by (node) (power)")).isEqualTo(WINDOWS - 1 + 0.5);
    assertThat(eval("last_over_time(power[1h])")).isEqualTo(WINDOWS - 1);
  }

  @Test
  void rateReadsTheResetCorrectedCounter() {
    // 100 per 5m window = 1/3 per second; the window [t-30m, t] holds 7 points spanning 30m exactly.
    assertThat(eval("rate(power[30m])")).isCloseTo(100.0 / 300, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(eval("irate(power[30m])")).isCloseTo(100.0 / 300, org.assertj.core.data.Offset.offset(1e-9));
  }
}
