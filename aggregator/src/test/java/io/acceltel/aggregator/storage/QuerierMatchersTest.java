package io.acceltel.aggregator.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Matchers, label names and values, over head and blocks alike. */
class QuerierMatchersTest {
  private static final long START = 1_700_000_000_000L;
  private static final Labels A = Labels.of("__name__", "power", "node", "n1", "gpu", "0", "tenant", "x");
  private static final Labels B = Labels.of("__name__", "power", "node", "n1", "gpu", "1");
  private static final Labels C = Labels.of("__name__", "power", "node", "n2", "gpu", "0", "tenant", "y");
  private static final Labels D = Labels.of("__name__", "temp", "node", "n2", "gpu", "0");

  @TempDir
  Path dir;
  private Storage storage;

  @BeforeEach
  void fill() throws Exception {
    storage = Storage.open(dir, TestConfigs.shortBlocks().build());
    Appender app = storage.appender();
    int[] refs = {app.ref(A), app.ref(B), app.ref(C), app.ref(D)};
    for (int i = 0; i < 3600; i++) {
      for (int r : refs) {
        app.append(r, START + i * 1000L, i);
      }
    }
    storage.checkpoint(Map.of()); // half of it goes to blocks: matchers must work on both
    assertThat(storage.stats().blocks().get(Resolution.RAW)).isPositive();
  }

  @org.junit.jupiter.api.AfterEach
  void close() throws Exception {
    storage.close();
  }

  private List<Labels> select(LabelMatcher... ms) {
    List<Labels> out = new ArrayList<>();
    for (SeriesData d : storage.querier().select(List.of(ms), START, START + 3600_000L, Resolution.RAW)) {
      out.add(d.labels());
    }
    assertThat(storage.querier().series(List.of(ms), START, START + 3600_000L)).isEqualTo(out);
    // A bounded listing keeps the first series in label order, not whichever it met first.
    assertThat(storage.querier().series(List.of(ms), START, START + 3600_000L, 2))
        .isEqualTo(out.subList(0, Math.min(2, out.size())));
    return out;
  }

  /** series() lists a series for the ranges it has data in, whether that data is in a block, sealed or open. */
  @Test
  void seriesAreListedForTheRangesTheyHaveDataIn() throws Exception {
    Labels gone = Labels.of("__name__", "gone");
    Labels fresh = Labels.of("__name__", "fresh");
    try (Storage s = Storage.open(dir.resolve("ranges"), TestConfigs.shortBlocks().build())) {
      Appender app = s.appender();
      int g = app.ref(gone);
      int f = app.ref(fresh);
      int a = app.ref(A);
      for (int i = 0; i < 3600; i++) {
        if (i < 600) {
          app.append(g, START + i * 1000L, i); // the first ten minutes only: a block after the checkpoint
        }
        if (i >= 3590) {
          app.append(f, START + i * 1000L, i); // the last ten seconds: an open head chunk
        }
        app.append(a, START + i * 1000L, i);
      }
      s.checkpoint(Map.of());
      Querier q = s.querier();
      assertThat(q.series(List.of(), START, START + 60_000L)).containsExactlyInAnyOrder(gone, A);
      assertThat(q.series(List.of(), START + 1800_000L, START + 1900_000L)).containsExactly(A);
      assertThat(q.series(List.of(), START + 3595_000L, Long.MAX_VALUE)).containsExactlyInAnyOrder(fresh, A);
      assertThat(q.series(List.of(), START + 3599_001L, Long.MAX_VALUE)).as("after every sample").isEmpty();
      assertThat(q.series(List.of(), Long.MIN_VALUE, Long.MAX_VALUE)).containsExactlyInAnyOrder(gone, fresh, A);
    }
  }

  /** The budget hears of a selection before it is decoded, with a lower bound of its samples, and can refuse it. */
  @Test
  void aDecodeBudgetIsAskedBeforeDecoding() {
    List<long[]> asked = new ArrayList<>();
    List<RawSeries> all = storage.querier().selectRaw(List.of(LabelMatcher.equal("__name__", "power")), START,
        START + 3600_000L, null, (series, samplesAtLeast) -> asked.add(new long[] {series, samplesAtLeast}));
    long exact = all.stream().mapToLong(RawSeries::size).sum();
    assertThat(asked).singleElement().satisfies(a -> {
      assertThat(a[0]).isEqualTo(3);
      assertThat(a[1]).isPositive().isLessThanOrEqualTo(exact);
    });

    assertThatThrownBy(() -> storage.querier().selectRaw(List.of(), START, START + 3600_000L, null,
        (series, samplesAtLeast) -> {
          throw new IllegalStateException("over budget: " + series);
        })).hasMessage("over budget: 4");
  }

  @Test
  void equalityAndInequality() {
    assertThat(select(LabelMatcher.equal("__name__", "power"))).containsExactlyInAnyOrder(A, B, C);
    assertThat(select(LabelMatcher.equal("__name__", "power"), LabelMatcher.notEqual("gpu", "0")))
        .containsExactly(B);
    assertThat(select(LabelMatcher.notEqual("node", "n1"))).containsExactlyInAnyOrder(C, D);
    assertThat(select(LabelMatcher.equal("node", "n3"))).isEmpty();
  }

  @Test
  void emptyStringMeansAbsent() {
    assertThat(select(LabelMatcher.equal("tenant", ""))).containsExactlyInAnyOrder(B, D);
    assertThat(select(LabelMatcher.notEqual("tenant", ""))).containsExactlyInAnyOrder(A, C);
    assertThat(select(LabelMatcher.regex("tenant", "x|"))).containsExactlyInAnyOrder(A, B, D);
    assertThat(select(LabelMatcher.notRegex("tenant", ".+"))).containsExactlyInAnyOrder(B, D);
    assertThat(select(LabelMatcher.regex("tenant", ".*"))).containsExactlyInAnyOrder(A, B, C, D);
    assertThat(select(LabelMatcher.equal("nolabel", ""))).containsExactlyInAnyOrder(A, B, C, D);
  }

  @Test
  void regexesAreAnchored() {
    assertThat(select(LabelMatcher.regex("node", "n"))).isEmpty();
    assertThat(select(LabelMatcher.regex("node", "n.*"))).containsExactlyInAnyOrder(A, B, C, D);
    assertThat(select(LabelMatcher.regex("__name__", "pow|temp"))).containsExactly(D);
    assertThat(select(LabelMatcher.notRegex("__name__", "po.*"), LabelMatcher.regex("gpu", "[01]")))
        .containsExactly(D);
    assertThat(select(LabelMatcher.regex("node", "n1|n2"), LabelMatcher.equal("gpu", "1"))).containsExactly(B);
  }

  @Test
  void labelNamesAndValues() {
    Querier q = storage.querier();
    assertThat(q.labelNames(List.of(), START, START + 3600_000L)).containsExactly("__name__", "gpu", "node", "tenant");
    assertThat(q.labelNames(List.of(LabelMatcher.equal("__name__", "temp")), START, START + 3600_000L))
        .containsExactly("__name__", "gpu", "node");
    assertThat(q.labelValues("tenant", List.of(), START, START + 3600_000L)).containsExactly("x", "y");
    assertThat(q.labelValues("node", List.of(LabelMatcher.equal("gpu", "1")), START, START + 3600_000L))
        .containsExactly("n1");
    assertThat(q.labelValues("__name__", List.of(), START, START + 3600_000L)).containsExactly("power", "temp");
    // Out of range: nothing.
    assertThat(q.labelNames(List.of(), START - 10_000, START - 1)).isEmpty();
  }

  @Test
  void selectHonoursTimeRangeAndResolutions() {
    Querier q = storage.querier();
    RawSeries s = q.selectRaw(List.of(LabelMatcher.equal("__name__", "temp")), START + 10_000, START + 19_999)
        .get(0);
    assertThat(s.timestamps()).hasSize(10).startsWith(START + 10_000).endsWith(START + 19_000);
    SampleIterator it = s.iterator();
    int n = 0;
    while (it.next()) {
      assertThat(it.value()).isEqualTo(10 + n++);
    }
    assertThat(n).isEqualTo(10);
    assertThat(q.resolutions()).containsExactly(Resolution.RAW, TestConfigs.S10, TestConfigs.M1, TestConfigs.M5,
        TestConfigs.H1);
    assertThatThrownBy(() -> q.select(List.of(), START, START + 1, Resolution.of(Duration.ofSeconds(30))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not stored");
  }
}
