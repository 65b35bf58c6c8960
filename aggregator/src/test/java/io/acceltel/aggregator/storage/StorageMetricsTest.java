package io.acceltel.aggregator.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.model.series.Labels;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage's state as the aggregator's /metrics shows it. */
class StorageMetricsTest {
  private static final long START = 1_700_000_000_000L;

  @TempDir
  Path dir;

  @Test
  void headBlocksAndCheckpointsAreVisible() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    try (Storage storage = Storage.open(dir, TestConfigs.shortBlocks().build())) {
      StorageMetrics.register(storage, 1_500_000, registry);
      assertThat(text(registry)).contains("acceltel_aggregator_head_series 0.0",
          "acceltel_aggregator_head_series_removed_total 0.0",
          "acceltel_aggregator_head_series_limit 1500000.0",
          "acceltel_aggregator_last_checkpoint_timestamp_seconds 0.0",
          "acceltel_aggregator_newest_sample_timestamp_seconds 0.0",
          "acceltel_aggregator_checkpoint_failures_total 0.0");

      Appender app = storage.appender();
      for (int g = 0; g < 3; g++) {
        int ref = app.ref(Labels.of("__name__", "power", "gpu", Integer.toString(g)));
        for (int i = 0; i < 3600; i++) {
          app.append(ref, START + i * 1000L, i);
        }
      }
      long before = System.currentTimeMillis();
      storage.checkpoint(Map.of("t/0", 1L));
      String scraped = text(registry);
      assertThat(scraped).contains("acceltel_aggregator_head_series 3.0",
          "acceltel_aggregator_head_chunk_bytes{resolution=\"raw\"}",
          "acceltel_aggregator_blocks{resolution=\"raw\"}", "acceltel_aggregator_block_bytes{resolution=\"1h\"}",
          "acceltel_aggregator_newest_sample_timestamp_seconds 1.700003599E9");
      assertThat(storage.lastCheckpointMillis()).isGreaterThanOrEqualTo(before);
      assertThat(storage.stats().blocks().get(Resolution.RAW)).isPositive();

      // A checkpoint that cannot be written is counted (and the caller logs it); the next one, once the disk takes
      // it again, succeeds, although the failed one had already written the blocks it cut.
      Files.createDirectory(dir.resolve("checkpoint.tmp"));
      int ref = app.ref(Labels.of("__name__", "power", "gpu", "0"));
      for (int i = 3600; i < 5400; i++) {
        app.append(ref, START + i * 1000L, i);
      }
      int blocksBefore = storage.stats().blocks().get(Resolution.RAW);
      assertThatThrownBy(() -> storage.checkpoint(Map.of("t/0", 2L))).isInstanceOf(IOException.class);
      assertThat(text(registry)).contains("acceltel_aggregator_checkpoint_failures_total 1.0");
      Files.deleteIfExists(dir.resolve("checkpoint.tmp")); // the failed checkpoint cleans up after itself
      storage.checkpoint(Map.of("t/0", 2L));
      assertThat(storage.stats().blocks().get(Resolution.RAW)).isGreaterThan(blocksBefore);
      assertThat(storage.checkpointedOffsets()).containsEntry("t/0", 2L);

      // gpu 1 and 2 stopped at 3600 s: they leave the head once their last 1 h window is in a block too.
      assertThat(text(registry)).contains("acceltel_aggregator_head_series 3.0",
          "acceltel_aggregator_head_series_removed_total 0.0");
      for (int i = 5400; i < 3 * 3600; i++) {
        app.append(ref, START + i * 1000L, i);
      }
      storage.checkpoint(Map.of("t/0", 3L));
      assertThat(text(registry)).contains("acceltel_aggregator_head_series 1.0",
          "acceltel_aggregator_head_series_removed_total 2.0");
    }
  }

  private static String text(PrometheusRegistry registry) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
