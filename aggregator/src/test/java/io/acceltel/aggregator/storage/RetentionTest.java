package io.acceltel.aggregator.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.series.LabelMatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
  private static final long START = 1_700_000_000_000L;

  @TempDir
  Path dir;

  @Test
  void oldBlocksAreDeletedAndRawFallsBackToTiers() throws Exception {
    StorageConfig config = TestConfigs.shortBlocks()
        .retention(Resolution.RAW, Duration.ofMinutes(30))
        .retention(TestConfigs.S10, Duration.ofHours(2))
        .build();
    Feed feed = Feed.gpuLike(START, 4 * 3600, 5);
    long now = START + 4 * 3600_000L - 1000;
    List<LabelMatcher> util = List.of(LabelMatcher.equal("kind", "util"));
    try (Storage s = Storage.open(dir, config)) {
      int perTenMinutes = feed.records.size() / 24;
      long generation = s.changes().generation();
      for (int i = 0; i < feed.records.size(); i += perTenMinutes) {
        feed.append(s.appender(), i, Math.min(feed.records.size(), i + perTenMinutes));
        s.checkpoint(Map.of("m/0", (long) i));
      }
      assertThat(s.changes().generation()).as("deleting blocks voids cached answers").isGreaterThan(generation);
      Querier q = s.querier();
      Coverage raw = q.coverage(Resolution.RAW);
      assertThat(raw.retainedFrom()).isGreaterThan(now - Duration.ofMinutes(45).toMillis())
          .isLessThanOrEqualTo(now - Duration.ofMinutes(30).toMillis());
      assertThat(raw.minTime()).isGreaterThanOrEqualTo(raw.retainedFrom());
      // Raw has aged out of the first hours: only the tiers cover them, finest first.
      assertThat(q.resolutionsCovering(START, now)).containsExactly(TestConfigs.M1, TestConfigs.M5, TestConfigs.H1);
      assertThat(q.resolutionsCovering(now - Duration.ofMinutes(20).toMillis(), now))
          .containsExactly(Resolution.RAW, TestConfigs.S10, TestConfigs.M1, TestConfigs.M5, TestConfigs.H1);
      assertThat(q.selectRaw(util, START, START + 3600_000L)).isEmpty();
      List<WindowSeries> minutes = q.selectWindows(util, START, START + 3600_000L, TestConfigs.M1);
      assertThat(minutes).hasSize(1);
      assertThat(minutes.get(0).size()).isBetween(59, 61);
      // Recent raw data is all there.
      RawSeries recent = q.selectRaw(util, now - 600_000L, now).get(0);
      assertThat(recent.size()).isEqualTo(601);
      // Nor do the deleted blocks hold disk space through mappings left for the collector.
      String storageDir = dir.toRealPath().toString(); // as the kernel names mapped files
      assertThat(Files.readAllLines(Path.of("/proc/self/maps"))).noneMatch(line -> line.contains(storageDir)
          && line.endsWith("(deleted)"));
      try (var dirs = Files.list(dir.resolve("blocks"))) {
        assertThat(dirs.filter(p -> p.getFileName().toString().startsWith("r0-"))
            .mapToLong(p -> Long.parseLong(p.getFileName().toString().split("-")[2])))
            .allMatch(maxTime -> maxTime > now - Duration.ofMinutes(30).toMillis());
      }
    }
    String storageDir = dir.toRealPath().toString();
    assertThat(Files.readAllLines(Path.of("/proc/self/maps"))).as("a closed storage maps no block")
        .noneMatch(line -> line.contains(storageDir));
    // The horizon survives a restart.
    try (Storage s = Storage.open(dir, config)) {
      assertThat(s.querier().resolutionsCovering(START, now)).doesNotContain(Resolution.RAW);
    }
  }
}
