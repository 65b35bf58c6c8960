package io.acceltel.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.exposition.MetricNameViews;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.core.metrics.StateSet;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The direct writer must write what client_java's writers write, byte for byte, in both text formats and with
 * every exporter property that changes their output: for the device families of every name view, for the kinds of
 * families it hands back to client_java, and for the label values and help texts that need escaping.
 */
class DirectTextFormatWriterTest {
  private static final List<ExporterProperties> PROPERTIES = List.of(
      ExporterProperties.builder().build(),
      ExporterProperties.builder().includeCreatedTimestamps(true).build(),
      ExporterProperties.builder().exemplarsOnAllMetricTypes(true).build());

  @Test
  void everyNameViewIsWrittenAsClientJavaWritesIt() {
    NodeSnapshot tick = attributed(simulatedTick());
    for (String view : MetricNameViews.discover().names()) {
      MetricSnapshots families = MetricNameViews.discover().byName(view).orElseThrow().render(tick);
      assertThat(families.size()).as(view).isGreaterThan(0);
      assertWrittenAlike(view, families);
      assertThat(families.stream().filter(f -> !writesItself(f)).map(f -> f.getMetadata().getPrometheusName()))
          .as("%s families left to client_java", view).isEmpty();
    }
  }

  @Test
  void familiesItDoesNotWriteItselfGoThroughClientJavaInPlace() {
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter requests = Counter.builder().name("requests").help("Requests.").labelNames("path").register(registry);
    requests.labelValues("/metrics").inc(3);
    Histogram latency = Histogram.builder().name("latency_seconds").help("Latency.").unit(
        io.prometheus.metrics.model.snapshots.Unit.SECONDS).classicUpperBounds(0.01, 0.1).register(registry);
    latency.observe(0.05);
    Summary sizes = Summary.builder().name("sizes_bytes").help("Sizes.").quantile(0.5, 0.01).register(registry);
    sizes.observe(100);
    StateSet phase = StateSet.builder().name("phase").help("Phase.").states("up", "down").register(registry);
    phase.setTrue("up");
    Info.builder().name("build").help("Build.").labelNames("version").register(registry).addLabelValues("1.0");
    Gauge.builder().name("temperature_celsius").help("Temp \"in\" \\C\nnow.").unit(Unit.CELSIUS)
        .labelNames("zone").register(registry).labelValues("a\"b\\c\nd").set(41.5);

    List<MetricSnapshot> all = new ArrayList<>();
    registry.scrape().forEach(all::add);
    all.add(new CounterSnapshot(new MetricMetadata("traced"), List.of(new CounterDataPointSnapshot(2, Labels.EMPTY,
        Exemplar.builder().value(1).labels(Labels.of("trace_id", "abc")).build(), 0L))));
    all.add(new GaugeSnapshot(new MetricMetadata("stamped"), List.of(
        GaugeDataPointSnapshot.builder().value(1).scrapeTimestampMillis(1_795_349_100_123L).build())));
    all.add(new GaugeSnapshot(new MetricMetadata("exemplified"), List.of(new GaugeDataPointSnapshot(1, Labels.EMPTY,
        Exemplar.builder().value(1).labels(Labels.of("trace_id", "def")).build()))));
    all.add(new UnknownSnapshot(new MetricMetadata("unknown.dotted"), List.of(
        new UnknownDataPointSnapshot(Double.NaN, Labels.of("a.b", "x"), null))));
    all.add(new GaugeSnapshot(new MetricMetadata("温度"), List.of(new GaugeDataPointSnapshot(1, Labels.EMPTY, null))));
    all.add(new GaugeSnapshot(new MetricMetadata("utf8_label"),
        List.of(new GaugeDataPointSnapshot(1, Labels.of("zoné", "1"), null))));
    all.add(new GaugeSnapshot(new MetricMetadata("empty"), List.of()));
    all.add(new GaugeSnapshot(new MetricMetadata("extremes"), List.of(
        new GaugeDataPointSnapshot(Double.POSITIVE_INFINITY, Labels.of("v", "+"), null),
        new GaugeDataPointSnapshot(Double.NEGATIVE_INFINITY, Labels.of("v", "-"), null),
        new GaugeDataPointSnapshot(-0.0, Labels.of("v", "0"), null),
        new GaugeDataPointSnapshot(1e-300, Labels.of("v", "tiny"), null),
        new GaugeDataPointSnapshot(123456789012345.0, Labels.of("v", "big"), null))));
    all.add(new InfoSnapshot(new MetricMetadata("tenant", "Who holds it."), List.of(
        new InfoDataPointSnapshot(Labels.of("tenant", "租户-α", "user", "ö")))));
    MetricSnapshots mixed = new MetricSnapshots(all);
    assertWrittenAlike("mixed", mixed);
    // Names and label names outside the legacy set are written as their underscore-escaped Prometheus names, as
    // client_java writes them in the default scheme, so only these need client_java:
    assertThat(mixed.stream().filter(f -> !writesItself(f)).map(f -> f.getMetadata().getPrometheusName()))
        .containsExactlyInAnyOrder("latency_seconds", "sizes_bytes", "phase", "traced", "stamped");
  }

  @Test
  void aLeadingPartIsTheExpositionWithoutItsEnd() throws IOException {
    MetricSnapshots families = MetricNameViews.discover().byName("native").orElseThrow()
        .render(attributed(simulatedTick()));
    for (ExporterProperties properties : PROPERTIES) {
      ExpositionFormats formats = ExpositionFormats.init(properties);
      for (ExpositionFormatWriter clientJava : List.of(formats.getPrometheusTextFormatWriter(),
          formats.getOpenMetricsTextFormatWriter())) {
        String whole = written(clientJava, families);
        String withoutEnd = whole.endsWith("# EOF\n") ? whole.substring(0, whole.length() - 6) : whole;
        for (ExpositionFormatWriter writer : List.of(clientJava,
            DirectTextFormatWriter.replacing(clientJava, properties))) {
          assertThat(new String(DirectTextFormatWriter.leadingPart(writer, families), StandardCharsets.UTF_8))
              .as("%s, created timestamps %s", writer.getClass().getSimpleName(),
                  properties.getIncludeCreatedTimestamps())
              .isEqualTo(withoutEnd);
        }
      }
    }
  }

  @Test
  void escapesLikeBothFormats() {
    assertThat(DirectTextFormatWriter.escapeLabelValue("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
    assertThat(DirectTextFormatWriter.escapeHelp("a\"b\\c\nd")).isEqualTo("a\"b\\\\c\\nd");
    String plain = "no escapes";
    assertThat(DirectTextFormatWriter.escapeLabelValue(plain)).isSameAs(plain);
  }

  @Test
  void protobufIsLeftToClientJava() {
    ExpositionFormats formats = ExpositionFormats.init(ExporterProperties.builder().build());
    assertThat(DirectTextFormatWriter.replacing(formats.getPrometheusProtobufWriter(),
        ExporterProperties.builder().build())).isSameAs(formats.getPrometheusProtobufWriter());
  }

  /** Whether the OpenMetrics writer, with the default properties, writes the family without client_java. */
  private static boolean writesItself(MetricSnapshot family) {
    ExporterProperties defaults = ExporterProperties.builder().build();
    DirectTextFormatWriter direct = (DirectTextFormatWriter) DirectTextFormatWriter.replacing(
        ExpositionFormats.init(defaults).getOpenMetricsTextFormatWriter(), defaults);
    return direct.writesItself(family);
  }

  private static void assertWrittenAlike(String what, MetricSnapshots families) {
    for (ExporterProperties properties : PROPERTIES) {
      ExpositionFormats formats = ExpositionFormats.init(properties);
      for (ExpositionFormatWriter clientJava : List.of(formats.getPrometheusTextFormatWriter(),
          formats.getOpenMetricsTextFormatWriter())) {
        ExpositionFormatWriter direct = DirectTextFormatWriter.replacing(clientJava, properties);
        assertThat(direct).isNotSameAs(clientJava);
        assertThat(direct.getContentType()).isEqualTo(clientJava.getContentType());
        assertThat(written(direct, families))
            .as("%s in %s, created timestamps %s, exemplars on all types %s", what, clientJava.getContentType(),
                properties.getIncludeCreatedTimestamps(), properties.getExemplarsOnAllMetricTypes())
            .isEqualTo(written(clientJava, families));
      }
    }
  }

  private static String written(ExpositionFormatWriter writer, MetricSnapshots families) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, families, EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static NodeSnapshot simulatedTick() {
    try (SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(4, "NVIDIA H100 80GB HBM3", 7));
        CollectionLoop loop = CollectionLoop.builder("node-\"q\"", backend.devices()).build()) {
      return loop.tick(1_795_349_100_000L);
    }
  }

  /** Attribution labels as a node's pods give them, escapes and non-ASCII included; one device left free. */
  private static NodeSnapshot attributed(NodeSnapshot tick) {
    List<DeviceSnapshot> devices = new ArrayList<>();
    for (DeviceSnapshot device : tick.devices()) {
      if (device.identity().index() == 3) {
        devices.add(device);
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("pod", "trainer-" + device.identity().index());
      labels.put("namespace", "team-α");
      labels.put("job", "llm \"pretrain\"\\v2");
      labels.put("tenant", "租户");
      labels.put("user", "line\nbreak");
      devices.add(device.withAttribution(Attribution.of(labels)));
    }
    return new NodeSnapshot(tick.node(), tick.timestampMillis(), devices);
  }
}
