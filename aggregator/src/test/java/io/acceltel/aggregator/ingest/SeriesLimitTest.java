package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.rules.StreamingAggregator;
import io.acceltel.aggregator.storage.RawSeries;
import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.aggregator.storage.StorageConfig;
import io.acceltel.model.remotewrite.WriteRequestEncoder;
import io.acceltel.model.series.LabelMatcher;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The head's series limit: once it holds max-series series, samples of new series are dropped and counted while the
 * series it holds go on, and room comes back when stopped series leave the head.
 */
class SeriesLimitTest {
  private static final long T0 = 1_700_000_400_000L;

  @Test
  void newSeriesBeyondTheLimitAreDroppedAndCountedUntilStoppedSeriesMakeRoom(@TempDir Path dir) throws Exception {
    Resolution m1 = Resolution.of(Duration.ofMinutes(1));
    StorageConfig config = StorageConfig.builder().tiers(Duration.ofMinutes(1))
        .blockDuration(Resolution.RAW, Duration.ofMinutes(10)).blockDuration(m1, Duration.ofMinutes(10))
        .retention(Resolution.RAW, Duration.ZERO).retention(m1, Duration.ZERO).build();
    PrometheusRegistry registry = new PrometheusRegistry();
    try (Storage storage = Storage.open(dir, config)) {
      SampleWriter writer = new SampleWriter(storage, 1, new IngestStats(registry), new StreamingAggregator(List.of()),
          3);
      RemoteWriteDecoder decoder = new RemoteWriteDecoder(writer.resolver(), 600_000, 1000, 1_000_000, 1 << 12);
      SampleBatch batch = new SampleBatch();
      int dropped = 0;
      // "a", "b" and "c" fill the head; "a" stops after 5 minutes; "d" asks for room from the start.
      for (int s = 0; s < 30 * 60; s++) {
        WriteRequestEncoder request = new WriteRequestEncoder();
        for (String gpu : s < 300 ? List.of("a", "b", "c", "d") : List.of("b", "c", "d")) {
          request.series(Map.of("__name__", "power", "gpu", gpu), new long[] {T0 + s * 1000L}, new double[] {s});
        }
        byte[] body = request.encode();
        dropped += writer.write("test", batch, b -> decoder.decode(body, body.length, b)).dropped();
        if (s == 20 * 60) {
          writer.exclusively(() -> {
            try {
              storage.checkpoint(Map.of());
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
        }
      }
      assertThat(dropped).as("d's samples until a left the head at the checkpoint after second 1200")
          .isEqualTo(20 * 60 + 1);
      assertThat(scrape(registry)).contains(
          "acceltel_aggregator_samples_dropped_total{reason=\"series_limit\",source=\"test\"} 1201.0");
      for (String gpu : List.of("b", "c")) {
        assertThat(raw(storage, gpu).size()).as("%s, held all along", gpu).isEqualTo(30 * 60);
      }
      RawSeries d = raw(storage, "d");
      assertThat(d.timestamps()[0]).isEqualTo(T0 + 1201 * 1000L);
      assertThat(d.size()).isEqualTo(30 * 60 - 1201);
      assertThat(raw(storage, "a").size()).as("a, from its blocks").isEqualTo(300);
    }
  }

  private static RawSeries raw(Storage storage, String gpu) {
    return storage.querier().selectRaw(List.of(LabelMatcher.equal("gpu", gpu)), Long.MIN_VALUE, Long.MAX_VALUE)
        .get(0);
  }

  private static String scrape(PrometheusRegistry registry) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
