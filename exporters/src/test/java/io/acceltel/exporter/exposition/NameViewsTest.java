package io.acceltel.exporter.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.model.catalog.ClockEventReasons;
import io.acceltel.model.catalog.ClockLimits;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NameViewsTest {
  private static SimulatedBackend backend;
  private static NodeSnapshot tick;

  @BeforeAll
  static void oneTick() {
    backend = new SimulatedBackend(new SimulatedSettings(2, "NVIDIA H100 80GB HBM3", 3));
    try (CollectionLoop loop = CollectionLoop.builder("node-b", backend.devices()).build()) {
      tick = loop.tick(1_795_349_100_000L);
    }
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  private static double reading(int device, MetricDefinition metric) {
    return tick.devices().get(device).readings().stream().filter(r -> r.metric() == metric)
        .mapToDouble(Reading::value).findFirst().orElseThrow();
  }

  private static MetricSnapshot family(MetricSnapshots all, String name) {
    return all.stream().filter(s -> s.getMetadata().getPrometheusName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " not rendered"));
  }

  private static DataPointSnapshot point(MetricSnapshot family, String label, String value) {
    return family.getDataPoints().stream().filter(p -> value.equals(p.getLabels().get(label))).findFirst()
        .orElseThrow();
  }

  /** A holder's label named like one of a series' own (here "reason") must not break the scrape: the series' wins. */
  @Test
  void aHolderLabelThatClashesWithASeriesLabelGivesWayToIt() {
    DeviceSnapshot device = DeviceSnapshot.builder(tick.devices().get(0).identity()).build().withReadings(
        List.of(new Reading(MetricCatalog.HEALTH_REASON, List.of("xid_79", "failed"), 1),
            new Reading(MetricCatalog.POWER, List.of(), 300)),
        Attribution.of(Map.of("pod", "p-0", "reason", "from-a-pod-label")));
    MetricSnapshots native_ = new NativeNameView().render(new NodeSnapshot("node-b", 0, List.of(device)));
    DataPointSnapshot healthReason = family(native_, "accelerator_health_reason_active").getDataPoints().get(0);
    assertThat(healthReason.getLabels().get("reason")).isEqualTo("xid_79");
    assertThat(healthReason.getLabels().get("pod")).isEqualTo("p-0");
    assertThat(family(native_, "accelerator_power_watts").getDataPoints().get(0).getLabels().get("reason"))
        .as("series without a label of that name keep the holder's").isEqualTo("from-a-pod-label");
  }

  /**
   * A scrape takes the pre-serialized bytes and the names they cover from one tick: a tick published between the two
   * must not leave a family out of the names while its bytes are already written (it would come out twice).
   */
  @Test
  void aScrapesRenderingStaysTheTickItTookWhileTheNextIsPublished() {
    SnapshotExposition exposition = new SnapshotExposition(new NativeNameView());
    exposition.onSnapshot(tick);
    io.acceltel.exporter.http.PreRenderedMetrics taken = exposition.current();
    byte[] bytes = taken.serialized(io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create());
    DeviceSnapshot powerOnly = DeviceSnapshot.builder(tick.devices().get(0).identity()).build().withReadings(
        List.of(new Reading(MetricCatalog.POWER, List.of(), 300)), Attribution.NONE);
    exposition.onSnapshot(new NodeSnapshot("node-b", 1000, List.of(powerOnly)));
    assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)).contains("accelerator_temperature_celsius{");
    assertThat(taken.covers("accelerator_temperature_celsius")).as("the names of the tick whose bytes were taken")
        .isTrue();
    assertThat(exposition.covers("accelerator_temperature_celsius")).as("the exposition itself moved on").isFalse();
  }

  @Test
  void theDiscoveredViewsAreNativeAndDcgm() {
    assertThat(MetricNameViews.discover().names()).contains("native", "dcgm");
  }

  @Test
  void dcgmNamesCarryDcgmLabelsAndUnits() {
    MetricSnapshots dcgm = new DcgmNameView().render(tick);
    GaugeSnapshot util = (GaugeSnapshot) family(dcgm, "DCGM_FI_DEV_GPU_UTIL");
    GaugeDataPointSnapshot gpu1 = (GaugeDataPointSnapshot) point(util, "gpu", "1");
    assertThat(gpu1.getValue()).isEqualTo(reading(1, MetricCatalog.UTILIZATION) * 100, within());
    Labels labels = gpu1.getLabels();
    assertThat(labels.get("UUID")).isEqualTo(tick.devices().get(1).identity().uuid());
    assertThat(labels.get("device")).isEqualTo("nvidia1");
    assertThat(labels.get("modelName")).isEqualTo("NVIDIA H100 80GB HBM3");
    assertThat(labels.get("Hostname")).isEqualTo("node-b");
    assertThat(labels.get("DCGM_FI_DRIVER_VERSION")).isNotEmpty();
    assertThat(labels.get("pci_bus_id")).isNotEmpty();

    GaugeDataPointSnapshot fbUsed = (GaugeDataPointSnapshot) point(family(dcgm, "DCGM_FI_DEV_FB_USED"), "gpu", "0");
    assertThat(fbUsed.getValue()).isEqualTo(reading(0, MetricCatalog.MEMORY_USED) / (1024 * 1024), within());

    GaugeDataPointSnapshot smClock = (GaugeDataPointSnapshot) point(family(dcgm, "DCGM_FI_DEV_SM_CLOCK"), "gpu", "0");
    assertThat(smClock.getValue()).isBetween(100.0, 3000.0);

    MetricSnapshot eccCounter = family(dcgm, "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL");
    assertThat(eccCounter).as("counters keep DCGM's name without _total").isInstanceOf(UnknownSnapshot.class);
  }

  @Test
  void dcgmRebuildsTheClockEventBitmask() {
    MetricSnapshots dcgm = new DcgmNameView().render(tick);
    GaugeDataPointSnapshot mask =
        (GaugeDataPointSnapshot) point(family(dcgm, "DCGM_FI_DEV_CLOCKS_EVENT_REASONS"), "gpu", "0");
    long expected = 0;
    for (Reading r : tick.devices().get(0).readings()) {
      if (r.metric() == MetricCatalog.CLOCK_EVENT && r.value() != 0) {
        expected |= ClockEventReasons.BITS.get(r.labelValues().get(0));
      }
    }
    assertThat((long) mask.getValue()).isEqualTo(expected);
  }

  /**
   * On a MIG-split GPU, as dcgm-exporter: one series per GPU instance with GPU_I_ID, GPU_I_PROFILE and its pod,
   * framebuffer from the instance's memory, GPU-wide fields repeated, no GPU-wide series (sums do not double) and
   * no profiling (ours is the whole GPU's). Two compute instances of one GPU instance make one series.
   */
  @Test
  void dcgmServesAMigSplitGpuPerGpuInstance() {
    String a = "MIG-aaaaaaaa-0000-0000-0000-000000000001";
    String b1 = "MIG-bbbbbbbb-0000-0000-0000-000000000002";
    String b2 = "MIG-bbbbbbbb-0000-0000-0000-000000000003";
    double mib = 1024 * 1024;
    DeviceSnapshot split = DeviceSnapshot.builder(tick.devices().get(0).identity()).build().withReadings(
        List.of(new Reading(MetricCatalog.POWER, List.of(), 300),
            new Reading(MetricCatalog.GRAPHICS_ENGINE_ACTIVE, List.of(), 0.9),
            new Reading(MetricCatalog.MEMORY_USED, List.of(), 30_000 * mib),
            new Reading(MetricCatalog.MIG_INFO, List.of(a, "3", "0", "1g.10gb"), 1),
            new Reading(MetricCatalog.MIG_INFO, List.of(b1, "4", "0", "1c.3g.40gb"), 1),
            new Reading(MetricCatalog.MIG_INFO, List.of(b2, "4", "1", "1c.3g.40gb"), 1),
            new Reading(MetricCatalog.MIG_MEMORY_USED, List.of(a, "3"), 2_000 * mib),
            new Reading(MetricCatalog.MIG_MEMORY_TOTAL, List.of(a, "3"), 9_984 * mib),
            new Reading(MetricCatalog.MIG_MEMORY_USED, List.of(b1, "4"), 25_000 * mib),
            new Reading(MetricCatalog.MIG_MEMORY_TOTAL, List.of(b1, "4"), 40_192 * mib),
            new Reading(MetricCatalog.MIG_MEMORY_USED, List.of(b2, "4"), 25_000 * mib),
            new Reading(MetricCatalog.MIG_MEMORY_TOTAL, List.of(b2, "4"), 40_192 * mib)),
        Attribution.of(Map.of("pod", "first-holder", "namespace", "ns")),
        Map.of(a, Attribution.of(Map.of("pod", "pod-a", "namespace", "ns")),
            b1, Attribution.of(Map.of("pod", "pod-b", "namespace", "ns")),
            b2, Attribution.of(Map.of("pod", "pod-c", "namespace", "ns"))));
    DeviceSnapshot whole = DeviceSnapshot.builder(tick.devices().get(1).identity()).build().withReadings(
        List.of(new Reading(MetricCatalog.MEMORY_USED, List.of(), 1_000 * mib)),
        Attribution.of(Map.of("pod", "pod-d", "namespace", "ns")));
    MetricSnapshots dcgm = new DcgmNameView().render(new NodeSnapshot("node-b", 0, List.of(split, whole)));

    MetricSnapshot used = family(dcgm, "DCGM_FI_DEV_FB_USED");
    assertThat(used.getDataPoints()).as("GPU instances 3 and 4, and the GPU without MIG").hasSize(3);
    GaugeDataPointSnapshot instanceA = (GaugeDataPointSnapshot) point(used, "GPU_I_ID", "3");
    assertThat(instanceA.getValue()).isEqualTo(2_000);
    assertThat(instanceA.getLabels().get("GPU_I_PROFILE")).isEqualTo("1g.10gb");
    assertThat(instanceA.getLabels().get("pod")).isEqualTo("pod-a");
    DataPointSnapshot instanceB = point(used, "GPU_I_ID", "4");
    assertThat(instanceB.getLabels().get("GPU_I_PROFILE")).isEqualTo("3g.40gb");
    assertThat(instanceB.getLabels().get("pod")).as("its two compute instances have different pods").isNull();
    assertThat(((GaugeDataPointSnapshot) point(family(dcgm, "DCGM_FI_DEV_FB_FREE"), "GPU_I_ID", "4")).getValue())
        .isEqualTo(40_192 - 25_000);
    assertThat(((GaugeDataPointSnapshot) point(used, "pod", "pod-d")).getValue()).as("a GPU without MIG keeps its pod")
        .isEqualTo(1_000);
    assertThat(family(dcgm, "DCGM_FI_DEV_POWER_USAGE").getDataPoints()).hasSize(2)
        .allSatisfy(p -> assertThat(((GaugeDataPointSnapshot) p).getValue()).isEqualTo(300));
    assertThat(dcgm.stream().map(f -> f.getMetadata().getPrometheusName()))
        .doesNotContain("DCGM_FI_PROF_GR_ENGINE_ACTIVE");
  }

  @Test
  void dcgmViolationCountersAreNanosecondsOfEachLimit() {
    DeviceSnapshot.Builder device = DeviceSnapshot.builder(tick.devices().get(0).identity());
    for (int i = 0; i < ClockLimits.NAMES.size(); i++) {
      device.set(MetricCatalog.CLOCK_LIMITED, ClockLimits.NAMES.get(i), i + 0.5);
    }
    MetricSnapshots dcgm = new DcgmNameView().render(new NodeSnapshot("node-b", 0, List.of(device.build())));
    List<String> names = List.of("POWER", "THERMAL", "SYNC_BOOST", "BOARD_LIMIT", "LOW_UTIL", "RELIABILITY",
        "TOTAL_APP_CLOCKS", "TOTAL_BASE_CLOCKS");
    for (int i = 0; i < names.size(); i++) {
      MetricSnapshot family = family(dcgm, "DCGM_FI_DEV_" + names.get(i) + "_VIOLATION");
      assertThat(family).isInstanceOf(UnknownSnapshot.class);
      UnknownDataPointSnapshot point = (UnknownDataPointSnapshot) point(family, "gpu", "0");
      assertThat(point.getValue()).as(names.get(i)).isEqualTo((i + 0.5) * 1e9, within());
    }
  }

  /** The driver's integer percent and mJ come back as the integers dcgm-exporter prints, without float noise. */
  @Test
  void dcgmRescaledIntegersHaveNoFloatNoise() {
    DeviceSnapshot.Builder device = DeviceSnapshot.builder(tick.devices().get(0).identity());
    device.set(MetricCatalog.MEMORY_UTILIZATION, 7 / 100.0);
    device.set(MetricCatalog.ENERGY, 123_456_789 / 1000.0);
    MetricSnapshots dcgm = new DcgmNameView().render(new NodeSnapshot("node-b", 0, List.of(device.build())));
    assertThat(7 / 100.0 * 100).as("what plain scaling gives").isNotEqualTo(7.0);
    assertThat(((GaugeDataPointSnapshot) point(family(dcgm, "DCGM_FI_DEV_MEM_COPY_UTIL"), "gpu", "0")).getValue())
        .isEqualTo(7.0);
    MetricSnapshot energy = family(dcgm, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION");
    assertThat(energy.getDataPoints().get(0)).satisfies(p -> assertThat(
        p instanceof UnknownDataPointSnapshot u ? u.getValue()
            : ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) p).getValue())
        .isEqualTo(123_456_789.0));
    assertThat(ReadingExtractor.rescale(0.125, 100)).as("a value that is not an integer stays").isEqualTo(12.5);
  }

  @Test
  void nativeNamesCarryTheDeviceLabelsAndTheMetricsOwn() {
    MetricSnapshots all = new NativeNameView().render(tick);
    GaugeSnapshot clocks = (GaugeSnapshot) family(all, "accelerator_clock_hertz");
    assertThat(clocks.getDataPoints()).hasSize(6);
    assertThat(clocks.getDataPoints().get(0).getLabels().stream().map(l -> l.getName()))
        .containsExactlyInAnyOrder("node", "device", "uuid", "model", "vendor", "clock");
  }

  @Test
  void nativeLabelSetsFollowAttributionFromTickToTick() {
    NativeNameView view = new NativeNameView();
    Labels first = clockLabels(view.render(tick), "0");
    assertThat((Object) clockLabels(view.render(tick), "0")).as("kept while nothing changed").isSameAs(first);

    NodeSnapshot held = withAttribution(tick, Attribution.of(Map.of("pod", "trainer-0", "tenant", "team-a")));
    Labels attributed = clockLabels(view.render(held), "0");
    assertThat(attributed.get("pod")).isEqualTo("trainer-0");
    assertThat(attributed.get("tenant")).isEqualTo("team-a");
    assertThat(attributed.get("clock")).isEqualTo(first.get("clock"));

    NodeSnapshot moved = withAttribution(tick, Attribution.of(Map.of("pod", "trainer-9", "tenant", "team-b")));
    assertThat(clockLabels(view.render(moved), "0").get("pod")).isEqualTo("trainer-9");
    assertThat((Object) clockLabels(view.render(tick), "0")).as("released: no attribution labels").isEqualTo(first);
  }

  private static Labels clockLabels(MetricSnapshots all, String device) {
    return point(family(all, "accelerator_clock_hertz"), "device", device).getLabels();
  }

  private static NodeSnapshot withAttribution(NodeSnapshot tick, Attribution attribution) {
    return new NodeSnapshot(tick.node(), tick.timestampMillis(),
        tick.devices().stream().map(d -> d.withAttribution(attribution)).toList());
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }
}
