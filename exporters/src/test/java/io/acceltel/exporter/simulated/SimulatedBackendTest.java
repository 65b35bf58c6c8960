package io.acceltel.exporter.simulated;

import static io.acceltel.exporter.simulated.SimulatedTicks.T0;
import static io.acceltel.exporter.simulated.SimulatedTicks.run;
import static io.acceltel.exporter.simulated.SimulatedTicks.tick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceBackendProvider;
import io.acceltel.exporter.device.DeviceBackends;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.exporter.simulated.SimulatedTicks.Tick;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.Vendor;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SimulatedBackendTest {
  private static final SimulatedSettings DEFAULT = SimulatedSettings.DEFAULT;

  private static BackendContext context(SimulatedSettings settings) {
    return new BackendContext(Optional.empty(), settings, NativeCallObserver.NOOP);
  }

  @Test
  void theProviderIsFoundByServiceLoaderUnderSimulated() throws Exception {
    Optional<DeviceBackendProvider> provider = DeviceBackends.discover().byName("simulated");
    assertThat(provider).get().isInstanceOf(SimulatedBackendProvider.class);
    try (DeviceBackend backend = provider.get().open(context(DEFAULT))) {
      assertThat(backend.name()).isEqualTo("simulated");
      assertThat(backend.devices()).hasSize(8);
    }
  }

  @Test
  void theDescriptionAnnouncesSimulatedDevices() {
    String description = new SimulatedBackend(DEFAULT).description();
    assertThat(description)
        .startsWith("SIMULATED devices")
        .contains("8 x NVIDIA H100 80GB HBM3", "seed 42", "not real readings");
  }

  @Test
  void aBadDeviceCountIsRefusedWithTheFix() {
    assertThatThrownBy(() -> new SimulatedBackendProvider().open(context(new SimulatedSettings(0, "H100", 1))))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("at least 1, got 0");
  }

  @Test
  void devicesHaveDistinctUuidsThatAreStableForASeed() {
    List<DeviceIdentity> ids = identities(new SimulatedBackend(DEFAULT));
    assertThat(ids).extracting(DeviceIdentity::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(ids).extracting(DeviceIdentity::model).containsOnly("NVIDIA H100 80GB HBM3");
    assertThat(ids).extracting(DeviceIdentity::vendor).containsOnly(Vendor.NVIDIA);
    assertThat(ids).extracting(DeviceIdentity::uuid)
        .allMatch(u -> u.matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"))
        .doesNotHaveDuplicates();

    assertThat(identities(new SimulatedBackend(DEFAULT))).isEqualTo(ids);
    List<String> otherSeed = identities(new SimulatedBackend(new SimulatedSettings(8, DEFAULT.model(), 43L)))
        .stream().map(DeviceIdentity::uuid).collect(Collectors.toList());
    assertThat(otherSeed).doesNotContainAnyElementsOf(ids.stream().map(DeviceIdentity::uuid).toList());
  }

  @Test
  void theSameSeedAndTicksGiveTheSameReadings() throws Exception {
    List<Tick> first = run(new SimulatedBackend(DEFAULT).devices().get(2), 400);
    List<Tick> second = run(new SimulatedBackend(DEFAULT).devices().get(2), 400);
    List<Tick> otherSeed = run(new SimulatedBackend(new SimulatedSettings(8, DEFAULT.model(), 7L)).devices().get(2),
        400);
    assertThat(second).isEqualTo(first);
    assertThat(otherSeed).isNotEqualTo(first);
  }

  @Test
  void staticReadingsLookLikeAnH100Sxm() throws Exception {
    Tick t = run(new SimulatedBackend(DEFAULT).devices().get(0), 200).get(199);
    assertThat(t.has(MetricCatalog.FAN_SPEED)).as("passively cooled: no fan speed").isFalse();
    assertThat(t.value(MetricCatalog.PSTATE)).isZero();
    assertThat(t.value(MetricCatalog.POWER_LIMIT)).isEqualTo(700);
    assertThat(t.value(MetricCatalog.PCIE_LINK_GEN)).isEqualTo(5);
    assertThat(t.value(MetricCatalog.PCIE_LINK_WIDTH)).isEqualTo(16);
    assertThat(t.value(MetricCatalog.CLOCK, "memory")).isEqualTo(2619e6);
    assertThat(t.value(MetricCatalog.CLOCK_MAX, "sm")).isEqualTo(1980e6);
    assertThat(t.value(MetricCatalog.MEMORY_TOTAL)).isEqualTo(85_520_809_984d);
    assertThat(t.value(MetricCatalog.MEMORY_FREE)).isEqualTo(t.value(MetricCatalog.MEMORY_TOTAL)
        - t.value(MetricCatalog.MEMORY_RESERVED) - t.value(MetricCatalog.MEMORY_USED));
    assertThat(t.value(MetricCatalog.PROCESSES)).isEqualTo(1);
    assertThat(t.value(MetricCatalog.PROCESS_MEMORY)).isEqualTo(t.value(MetricCatalog.MEMORY_USED));
    assertThat(t.value(MetricCatalog.LAST_XID)).isZero();
    assertThat(t.has(MetricCatalog.XID_ERRORS)).isFalse();

    var info = t.readings().stream().filter(r -> r.metric() == MetricCatalog.DEVICE_INFO).findFirst().orElseThrow();
    assertThat(info.labelValues()).element(1).isEqualTo("580.159.04");
    assertThat(info.labelValues()).element(3).isEqualTo("00000000:18:00.0");
    assertThat(info.labelValues()).element(4).isEqualTo("disabled");

    assertThat(t.readings().stream().filter(r -> r.metric() == MetricCatalog.NVLINK_UP))
        .hasSize(18).allMatch(r -> r.value() == 1);
    assertThat(t.readings().stream().filter(r -> r.metric() == MetricCatalog.NVLINK_ERRORS))
        .hasSize(18 * 4).allMatch(r -> r.value() == 0);
    assertThat(t.readings().stream().filter(r -> r.metric() == MetricCatalog.ECC_ERRORS))
        .hasSize(4).allMatch(r -> r.value() == 0);
    assertThat(t.readings().stream().filter(r -> r.metric() == MetricCatalog.REMAPPED_ROWS))
        .hasSize(2).allMatch(r -> r.value() == 0);
    assertThat(t.readings().stream().filter(r -> r.metric() == MetricCatalog.CLOCK_EVENT))
        .extracting(r -> r.labelValues().get(0))
        .containsExactly("gpu_idle", "applications_clocks_setting", "sw_power_cap", "hw_slowdown", "sync_boost",
            "sw_thermal_slowdown", "hw_thermal_slowdown", "hw_power_brake_slowdown", "display_clock_setting");
    assertThat(t.readings().stream().filter(r -> r.metric() == MetricCatalog.CLOCK_EVENT))
        .allMatch(r -> r.value() == 0 || r.value() == 1);
  }

  @Test
  void anInjectedXidIsCountedByCodeAndBecomesTheLastXid() throws Exception {
    SimulatedBackend backend = new SimulatedBackend(DEFAULT);
    DeviceReader gpu3 = backend.devices().get(3);
    tick(gpu3, T0);

    backend.injectXid(3, 79);
    Tick once = tick(gpu3, T0 + 1000);
    assertThat(once.value(MetricCatalog.XID_ERRORS, "79")).isEqualTo(1);
    assertThat(once.value(MetricCatalog.LAST_XID)).isEqualTo(79);

    backend.injectXid(3, 79);
    backend.injectXid(3, 48);
    Tick later = tick(gpu3, T0 + 2000);
    assertThat(later.value(MetricCatalog.XID_ERRORS, "79")).isEqualTo(2);
    assertThat(later.value(MetricCatalog.XID_ERRORS, "48")).isEqualTo(1);
    assertThat(later.value(MetricCatalog.LAST_XID)).isEqualTo(48);

    Tick neighbour = tick(backend.devices().get(2), T0 + 2000);
    assertThat(neighbour.has(MetricCatalog.XID_ERRORS)).isFalse();
    assertThat(neighbour.value(MetricCatalog.LAST_XID)).isZero();
  }

  @Test
  void anInjectedThermalSlowdownSetsTheReasonsLowersClocksAndReadsHot() throws Exception {
    SimulatedBackend backend = new SimulatedBackend(DEFAULT);
    DeviceReader gpu = backend.devices().get(0);
    List<Tick> ticks = run(gpu, 150); // well into the first training steps
    Tick before = ticks.get(149);
    assertThat(before.value(MetricCatalog.CLOCK_EVENT, "hw_thermal_slowdown")).isZero();

    backend.injectThermalSlowdown(0, true);
    Tick during = tick(gpu, T0 + 150_000);
    assertThat(during.value(MetricCatalog.CLOCK_EVENT, "hw_thermal_slowdown")).isEqualTo(1);
    assertThat(during.value(MetricCatalog.CLOCK_EVENT, "sw_thermal_slowdown")).isEqualTo(1);
    assertThat(during.value(MetricCatalog.CLOCK, "sm")).isLessThan(0.5 * 1980e6)
        .isLessThan(before.value(MetricCatalog.CLOCK, "sm"));
    assertThat(during.value(MetricCatalog.TEMPERATURE))
        .isGreaterThan(during.value(MetricCatalog.TEMPERATURE_SLOWDOWN));

    backend.injectThermalSlowdown(0, false);
    Tick after = tick(gpu, T0 + 151_000);
    assertThat(after.value(MetricCatalog.CLOCK_EVENT, "hw_thermal_slowdown")).isZero();
    assertThat(after.value(MetricCatalog.CLOCK, "sm")).isGreaterThan(during.value(MetricCatalog.CLOCK, "sm"));
  }

  @Test
  void aLostDeviceThrowsUntilItIsBackAndTheOthersKeepAnswering() throws Exception {
    SimulatedBackend backend = new SimulatedBackend(DEFAULT);
    DeviceReader gpu = backend.devices().get(3);
    tick(gpu, T0);
    assertThat(gpu.recover()).isTrue();

    backend.loseDevice(3, true);
    assertThatThrownBy(() -> gpu.read(T0 + 1000, r -> {}))
        .isInstanceOf(DeviceLostException.class)
        .hasMessageContaining("loseDevice(3, false)");
    assertThatThrownBy(() -> gpu.readBackground(r -> {})).isInstanceOf(DeviceLostException.class);
    assertThat(gpu.recover()).isFalse();
    assertThat(tick(backend.devices().get(4), T0 + 1000).value(MetricCatalog.POWER)).isPositive();

    backend.loseDevice(3, false);
    assertThat(gpu.recover()).isTrue();
    assertThat(tick(gpu, T0 + 5000).value(MetricCatalog.POWER)).isPositive();
  }

  @Test
  void faultsOnADeviceThatDoesNotExistAreRefused() {
    SimulatedBackend backend = new SimulatedBackend(DEFAULT);
    assertThatThrownBy(() -> backend.injectXid(8, 79))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 to 7");
    assertThatThrownBy(() -> backend.loseDevice(-1, true)).isInstanceOf(IllegalArgumentException.class);
  }

  private static List<DeviceIdentity> identities(SimulatedBackend backend) {
    return backend.devices().stream().map(DeviceReader::identity).toList();
  }
}
