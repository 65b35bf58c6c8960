package io.acceltel.exporter.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.acceltel.model.snapshot.Vendor;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricExclusionsTest {
  private static DeviceIdentity gpu(int index) {
    return new DeviceIdentity(index, "GPU-" + index, "NVIDIA H100 80GB HBM3", Vendor.NVIDIA);
  }

  @Test
  void aPatternExcludesEveryDeviceMetricItMatchesAndNothingElse() {
    MetricExclusions exclusions = MetricExclusions.of(List.of("accelerator_nvlink_*", "accelerator_fan_speed_ratio"));
    List<MetricDefinition> nvlink = MetricCatalog.all().stream()
        .filter(m -> m.perDevice() && m.name().startsWith("accelerator_nvlink_")).toList();
    assertThat(nvlink).hasSizeGreaterThan(1);
    assertThat(exclusions.size()).isEqualTo(nvlink.size() + 1);
    assertThat(nvlink).allSatisfy(m -> assertThat(exclusions.excludes(m)).as(m.name()).isTrue());
    assertThat(exclusions.excludes(MetricCatalog.FAN_SPEED)).isTrue();
    assertThat(exclusions.excludes(MetricCatalog.POWER)).isFalse();
    assertThat(exclusions.excludes(MetricCatalog.DEVICE_LOST)).isFalse();
    assertThat(exclusions.patterns()).containsExactly("accelerator_nvlink_*", "accelerator_fan_speed_ratio");
  }

  @Test
  void aPatternThatMatchesNoDeviceMetricIsRefusedNotIgnored() {
    assertThatThrownBy(() -> MetricExclusions.of(List.of("accelerator_power_watts", "accelerator_nvlnk_*")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'accelerator_nvlnk_*' matches no device metric; the names are listed in docs/metrics.md "
            + "(e.g. accelerator_nvlink_*)");
    // The exporter's own metrics are not device readings: excluding them would silently do nothing.
    assertThatThrownBy(() -> MetricExclusions.of(List.of("acceltel_exporter_*")))
        .hasMessageStartingWith("'acceltel_exporter_*' matches no device metric");
  }

  @Test
  void aMalformedPatternSaysWhatAPatternMayContain() {
    assertThatThrownBy(() -> MetricExclusions.of(List.of("accelerator_power_watts{device=\"0\"}")))
        .hasMessageContaining("is not a metric name pattern")
        .hasMessageContaining("'*' for any run of them");
    // Regular-expression characters are not special: only '*' is.
    assertThatThrownBy(() -> MetricExclusions.of(List.of("accelerator_.*"))).hasMessageContaining("not a metric");
  }

  @Test
  void applyingLeavesOutTheExcludedReadingsAndKeepsEverythingElse() {
    MetricExclusions exclusions = MetricExclusions.of(List.of("accelerator_power_*"));
    Attribution attribution = new Attribution(List.of("namespace", "pod", "tenant_id"), List.of("ns", "p", "t1"));
    DeviceSnapshot device = new DeviceSnapshot(gpu(0), false, List.of(
        new Reading(MetricCatalog.POWER, List.of(), 300),
        new Reading(MetricCatalog.POWER_LIMIT, List.of(), 700),
        new Reading(MetricCatalog.TEMPERATURE, List.of(), 61),
        new Reading(MetricCatalog.CLOCK, List.of("sm"), 1.98e9)), attribution);
    DeviceSnapshot lost = new DeviceSnapshot(gpu(1), true,
        List.of(new Reading(MetricCatalog.DEVICE_LOST, List.of(), 1)), Attribution.NONE);
    NodeSnapshot tick = new NodeSnapshot("node-a", 1_000L, List.of(device, lost));

    NodeSnapshot emitted = exclusions.apply(tick);

    assertThat(emitted.node()).isEqualTo("node-a");
    assertThat(emitted.timestampMillis()).isEqualTo(1_000L);
    assertThat(emitted.devices().get(0).readings()).extracting(r -> r.metric().name())
        .containsExactly("accelerator_temperature_celsius", "accelerator_clock_hertz");
    assertThat(emitted.devices().get(0).attribution()).isEqualTo(attribution);
    assertThat(emitted.devices().get(0).identity()).isEqualTo(device.identity());
    assertThat(emitted.devices().get(1)).isEqualTo(lost);
    assertThat(MetricExclusions.NONE.apply(tick)).isSameAs(tick);
  }
}
