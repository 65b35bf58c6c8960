package io.acceltel.exporter.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.acceltel.model.snapshot.Vendor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each health rule on its own, on hand-made device snapshots. */
class HealthRulesTest {
  private static final DeviceIdentity GPU = new DeviceIdentity(3, "GPU-3", "NVIDIA H100 80GB HBM3", Vendor.NVIDIA);
  private static final DeviceIdentity NPU = new DeviceIdentity(5, "185011D4-0", "Ascend910B3", Vendor.HUAWEI);
  private static final long T0 = 1_795_349_100_000L;
  private static final Duration WINDOW = Duration.ofMinutes(5);

  /** Builds a device's readings. */
  private static final class Device {
    private final DeviceIdentity id;
    private final List<Reading> readings = new ArrayList<>();
    private boolean lost;
    private boolean answering = true;

    Device(DeviceIdentity id) {
      this.id = id;
    }

    Device with(MetricDefinition metric, double value, String... labels) {
      readings.add(new Reading(metric, List.of(labels), value));
      return this;
    }

    Device lost() {
      lost = true;
      return this;
    }

    /** Every call fails: none of the core readings a working device always has. */
    Device withoutCoreReadings() {
      answering = false;
      return this;
    }

    DeviceSnapshot snapshot() {
      List<Reading> all = new ArrayList<>(readings);
      if (answering && !lost) {
        for (MetricDefinition core : List.of(MetricCatalog.TEMPERATURE, MetricCatalog.POWER,
            MetricCatalog.MEMORY_USED)) {
          if (all.stream().noneMatch(r -> r.metric() == core)) {
            all.add(new Reading(core, List.of(), 1));
          }
        }
      }
      return new DeviceSnapshot(id, lost, all, Attribution.NONE);
    }
  }

  private static Device gpu() {
    return new Device(GPU);
  }

  private static DeviceHealth health(Device device) {
    return HealthRules.evaluate(device.snapshot(), DeviceHistory.EMPTY, T0, WINDOW).health();
  }

  private static HealthReason only(DeviceHealth health) {
    assertThat(health.reasons()).hasSize(1);
    return health.reasons().get(0);
  }

  @Test
  void aDeviceWithNothingWrongIsHealthy() {
    DeviceHealth h = health(gpu().with(MetricCatalog.LAST_XID, 0).with(MetricCatalog.PCIE_LINK_WIDTH, 16)
        .with(MetricCatalog.PCIE_LINK_WIDTH_MAX, 16).with(MetricCatalog.CLOCK_EVENT, 1, "gpu_idle")
        .with(MetricCatalog.CLOCK_EVENT, 1, "sw_power_cap").with(MetricCatalog.NVLINK_UP, 1, "0"));
    assertThat(h.state()).isEqualTo(HealthState.HEALTHY);
    assertThat(h.reasons()).isEmpty();
  }

  /** A GPU whose every call fails (nvidia-smi's ERR!, NVML's RESET_REQUIRED) is not lost, and is not healthy. */
  @Test
  void aDeviceThatAnswersWithoutItsCoreReadingsForThreeTicksIsUnresponsive() {
    DeviceHistory history = DeviceHistory.EMPTY;
    for (int tick = 1; tick <= 3; tick++) {
      HealthRules.Evaluation e = HealthRules.evaluate(gpu().withoutCoreReadings()
          .with(MetricCatalog.XID_ERRORS, 0, "13").snapshot(), history, T0 + tick * 1000L, WINDOW);
      history = e.history();
      if (tick < 3) {
        assertThat(e.health().state()).as("tick %d", tick).isEqualTo(HealthState.HEALTHY);
      } else {
        HealthReason r = only(e.health());
        assertThat(r.code()).isEqualTo("device_unresponsive");
        assertThat(r.state()).isEqualTo(HealthState.FAILED);
        assertThat(r.detail()).contains("for 3 ticks in a row");
      }
    }
    assertThat(HealthRules.evaluate(gpu().snapshot(), history, T0 + 4000, WINDOW).health().state())
        .as("answering again").isEqualTo(HealthState.HEALTHY);
    DeviceHistory lostBetween = HealthRules.evaluate(gpu().lost().snapshot(), HealthRules.evaluate(
        gpu().withoutCoreReadings().snapshot(), HealthRules.evaluate(gpu().withoutCoreReadings().snapshot(),
            DeviceHistory.EMPTY, T0, WINDOW).history(), T0 + 1000, WINDOW).history(), T0 + 2000, WINDOW).history();
    assertThat(HealthRules.evaluate(gpu().withoutCoreReadings().snapshot(), lostBetween, T0 + 3000, WINDOW)
        .health().reasons()).as("a loss is its own reason and starts the count again").isEmpty();
  }

  /** An NPU that only ever gave one core reading (a 310P's temperature) is not failed when that one sensor fails. */
  @Test
  void anNpuIsJudgedUnresponsiveOnlyOnceItShowedTwoKindsOfCoreReadings() {
    Device temperatureOnly = new Device(NPU).withoutCoreReadings().with(MetricCatalog.TEMPERATURE, 40);
    DeviceHistory history = HealthRules.evaluate(temperatureOnly.snapshot(), DeviceHistory.EMPTY, T0, WINDOW)
        .history();
    for (int tick = 1; tick <= 5; tick++) {
      HealthRules.Evaluation e = HealthRules.evaluate(new Device(NPU).withoutCoreReadings().snapshot(), history,
          T0 + tick * 1000L, WINDOW);
      history = e.history();
      assertThat(e.health().state()).isEqualTo(HealthState.HEALTHY);
    }
    history = HealthRules.evaluate(new Device(NPU).snapshot(), DeviceHistory.EMPTY, T0, WINDOW).history();
    for (int tick = 1; tick <= 3; tick++) {
      history = HealthRules.evaluate(new Device(NPU).withoutCoreReadings().snapshot(), history, T0 + tick * 1000L,
          WINDOW).history();
    }
    assertThat(HealthRules.evaluate(new Device(NPU).withoutCoreReadings().snapshot(), history, T0 + 4000, WINDOW)
        .health().reasons()).extracting(HealthReason::code).containsExactly("device_unresponsive");
  }

  /**
   * One failed read of a fault input must not turn a failed device healthy for that tick: every alert's
   * {@code for:} would start again. A device back from a loss was reset, and its old readings no longer count.
   */
  @Test
  void aFaultInputMissingForATickKeepsItsLastValueUntilTheDeviceIsReset() {
    HealthRules.Evaluation failed = HealthRules.evaluate(gpu().with(MetricCatalog.ROW_REMAP_FAILED, 1)
        .with(MetricCatalog.ECC_ERRORS, 2, "uncorrected", "volatile").snapshot(), DeviceHistory.EMPTY, T0, WINDOW);
    assertThat(failed.health().reasons()).extracting(HealthReason::code)
        .containsExactly("ecc_uncorrected", "row_remap_failed");
    HealthRules.Evaluation readFailed = HealthRules.evaluate(gpu().snapshot(), failed.history(), T0 + 1000, WINDOW);
    assertThat(readFailed.health().reasons()).extracting(HealthReason::code)
        .containsExactly("ecc_uncorrected", "row_remap_failed");
    HealthRules.Evaluation reset = HealthRules.evaluate(gpu().with(MetricCatalog.DEVICE_RECOVERIES, 1).snapshot(),
        readFailed.history(), T0 + 2000, WINDOW);
    assertThat(reset.health().state()).isEqualTo(HealthState.HEALTHY);
  }

  /** A call the driver stops answering is not asked again: its last value must not stand for good. */
  @Test
  void aFaultInputMissingForAMinuteIsForgotten() {
    HealthRules.Evaluation e = HealthRules.evaluate(gpu().with(MetricCatalog.ECC_ERRORS, 2, "uncorrected",
        "volatile").snapshot(), DeviceHistory.EMPTY, T0, WINDOW);
    e = HealthRules.evaluate(gpu().snapshot(), e.history(), T0 + 59_000, WINDOW);
    assertThat(e.health().reasons()).extracting(HealthReason::code).containsExactly("ecc_uncorrected");
    e = HealthRules.evaluate(gpu().snapshot(), e.history(), T0 + 60_000, WINDOW);
    assertThat(e.health().state()).isEqualTo(HealthState.HEALTHY);
  }

  /**
   * A failed or pending row remap outlasts its reading: NVML does not report remapped rows while MIG instances
   * exist, and the GPU needs replacing (or a reset) all the same. A reading of 0, or a recovery, clears it.
   */
  @Test
  void aRowRemapStandsWhileItsReadingIsAbsentUntilTheGpuIsReset() {
    HealthRules.Evaluation e = HealthRules.evaluate(gpu().with(MetricCatalog.ROW_REMAP_FAILED, 1)
        .with(MetricCatalog.ROW_REMAP_PENDING, 1).snapshot(), DeviceHistory.EMPTY, T0, WINDOW);
    HealthRules.Evaluation migLater = HealthRules.evaluate(gpu().snapshot(), e.history(), T0 + 3_600_000, WINDOW);
    assertThat(migLater.health().reasons()).extracting(HealthReason::code)
        .containsExactly("row_remap_failed", "row_remap_pending");
    assertThat(HealthRules.evaluate(gpu().with(MetricCatalog.ROW_REMAP_FAILED, 0)
        .with(MetricCatalog.ROW_REMAP_PENDING, 0).snapshot(), migLater.history(), T0 + 3_601_000, WINDOW).health()
        .state()).isEqualTo(HealthState.HEALTHY);
    assertThat(HealthRules.evaluate(gpu().with(MetricCatalog.DEVICE_RECOVERIES, 1).snapshot(), migLater.history(),
        T0 + 3_601_000, WINDOW).health().state()).isEqualTo(HealthState.HEALTHY);
  }

  /** At a 60 s interval the next tick is a minute later: a hold must still bridge one failed read. */
  @Test
  void holdsOutlastTheTickAfterAtLongIntervals() {
    Duration minute = Duration.ofMinutes(1);
    HealthRules.Evaluation e = HealthRules.evaluate(gpu().with(MetricCatalog.ECC_ERRORS, 2, "uncorrected",
        "volatile").with(MetricCatalog.CLOCK_EVENT, 1, "hw_power_brake_slowdown").snapshot(), DeviceHistory.EMPTY,
        T0, WINDOW, minute);
    HealthRules.Evaluation next = HealthRules.evaluate(gpu().with(MetricCatalog.CLOCK_EVENT, 0,
        "hw_power_brake_slowdown").snapshot(), e.history(), T0 + 60_000, WINDOW, minute);
    assertThat(next.health().reasons()).extracting(HealthReason::code)
        .containsExactly("ecc_uncorrected", "power_brake_slowdown");
    assertThat(next.health().reasons().get(1).detail()).endsWith("clear for 60 s, held until 120 s clear so that "
        + "it does not flap");
    assertThat(HealthRules.evaluate(gpu().snapshot(), next.history(), T0 + 120_000, WINDOW, minute).health()
        .state()).isEqualTo(HealthState.HEALTHY);
  }

  @Test
  void xid79FellOffTheBusFailsTheDeviceAndSaysRebootTheNode() {
    HealthReason r = only(health(gpu().with(MetricCatalog.XID_ERRORS, 1, "79")));
    assertThat(r.code()).isEqualTo("xid_79");
    assertThat(r.state()).isEqualTo(HealthState.FAILED);
    assertThat(r.detail()).startsWith("GPU has fallen off the bus (XID 79, seen 1 time");
    assertThat(r.action()).isEqualTo("reboot the node");
  }

  @Test
  void resetClassXidsFailTheDeviceAndStayFailed() {
    Device d = gpu().with(MetricCatalog.XID_ERRORS, 2, "48");
    HealthRules.Evaluation first = HealthRules.evaluate(d.snapshot(), DeviceHistory.EMPTY, T0, WINDOW);
    assertThat(only(first.health()).action()).isEqualTo("reset the GPU");
    HealthRules.Evaluation dayLater = HealthRules.evaluate(d.snapshot(), first.history(), T0 + 86_400_000L, WINDOW);
    assertThat(dayLater.health().state()).isEqualTo(HealthState.FAILED);
  }

  /** A GPU that fell off the bus and came back was reset: the reset-class XIDs before that stop failing it. */
  @Test
  void resetClassXidsClearOnceTheDeviceCameBackFromLost() {
    HealthRules.Evaluation failed = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "48").snapshot(),
        DeviceHistory.EMPTY, T0, WINDOW);
    assertThat(failed.health().state()).isEqualTo(HealthState.FAILED);
    HealthRules.Evaluation lost = HealthRules.evaluate(gpu().lost().snapshot(), failed.history(), T0 + 1000, WINDOW);
    HealthRules.Evaluation back = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "48")
        .with(MetricCatalog.DEVICE_RECOVERIES, 1).snapshot(), lost.history(), T0 + 2000, WINDOW);
    assertThat(back.health().state()).isEqualTo(HealthState.HEALTHY);
    HealthRules.Evaluation again = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 2, "48")
        .with(MetricCatalog.DEVICE_RECOVERIES, 1).snapshot(), back.history(), T0 + 3000, WINDOW);
    assertThat(only(again.health()).code()).isEqualTo("xid_48");
  }

  /** An XID that arrives in the very tick the device comes back (an init error) came after the reset: it counts. */
  @Test
  void anXidArrivingWithTheDevicesReturnStillFailsIt() {
    HealthRules.Evaluation failed = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "48").snapshot(),
        DeviceHistory.EMPTY, T0, WINDOW);
    HealthRules.Evaluation lost = HealthRules.evaluate(gpu().lost().snapshot(), failed.history(), T0 + 1000, WINDOW);
    HealthRules.Evaluation back = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 2, "48")
        .with(MetricCatalog.DEVICE_RECOVERIES, 1).snapshot(), lost.history(), T0 + 2000, WINDOW);
    assertThat(only(back.health()).code()).isEqualTo("xid_48");
    assertThat(only(back.health()).state()).isEqualTo(HealthState.FAILED);
  }

  /** A recovery is a reset: it does not stand in for the reboot or the look at the cables other XIDs ask for. */
  @Test
  void aRecoveryDoesNotClearXidsThatAskForMoreThanAReset() {
    for (String xid : new String[] {"79", "54", "151"}) {
      HealthRules.Evaluation failed = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, xid)
          .with(MetricCatalog.DEVICE_RECOVERIES, 0).snapshot(), DeviceHistory.EMPTY, T0, WINDOW);
      HealthRules.Evaluation lost = HealthRules.evaluate(gpu().lost().snapshot(), failed.history(), T0 + 1000,
          WINDOW);
      HealthRules.Evaluation back = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, xid)
          .with(MetricCatalog.DEVICE_RECOVERIES, 1).snapshot(), lost.history(), T0 + 2000, WINDOW);
      assertThat(only(back.health()).code()).as("XID " + xid).isEqualTo("xid_" + xid);
    }
  }

  /**
   * After XID 119 (GSP RPC timeout) driver calls hang, and a device whose reads are late three ticks in a row is
   * reported lost. Answering again after that is no reset: the XID still fails it.
   */
  @Test
  void aDeviceLostOnlyToLateReadsIsNotReset() {
    HealthRules.Evaluation failed = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "119")
        .with(MetricCatalog.DEVICE_RECOVERIES, 0).snapshot(), DeviceHistory.EMPTY, T0, WINDOW);
    assertThat(failed.health().state()).isEqualTo(HealthState.FAILED);
    HealthRules.Evaluation late = HealthRules.evaluate(gpu().lost().snapshot(), failed.history(), T0 + 1000, WINDOW);
    HealthRules.Evaluation answering = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "119")
        .with(MetricCatalog.DEVICE_RECOVERIES, 0).snapshot(), late.history(), T0 + 2000, WINDOW);
    assertThat(answering.health().state()).isEqualTo(HealthState.FAILED);
    assertThat(only(answering.health()).code()).isEqualTo("xid_119");
  }

  @Test
  void applicationXidsDegradeTheDeviceForAWindowAfterTheLastOne() {
    Device d = gpu().with(MetricCatalog.XID_ERRORS, 1, "13");
    HealthRules.Evaluation first = HealthRules.evaluate(d.snapshot(), DeviceHistory.EMPTY, T0, WINDOW);
    assertThat(only(first.health()).state()).isEqualTo(HealthState.DEGRADED);
    assertThat(only(first.health()).action()).isEqualTo("restart the application");
    HealthRules.Evaluation later = HealthRules.evaluate(d.snapshot(), first.history(), T0 + WINDOW.toMillis() - 1,
        WINDOW);
    assertThat(later.health().state()).isEqualTo(HealthState.DEGRADED);
    HealthRules.Evaluation after = HealthRules.evaluate(d.snapshot(), later.history(), T0 + WINDOW.toMillis(), WINDOW);
    assertThat(after.health().state()).isEqualTo(HealthState.HEALTHY);
    // It happens again: degraded again.
    Device again = gpu().with(MetricCatalog.XID_ERRORS, 2, "13");
    assertThat(HealthRules.evaluate(again.snapshot(), after.history(), T0 + WINDOW.toMillis() + 1000, WINDOW)
        .health().state()).isEqualTo(HealthState.DEGRADED);
  }

  @Test
  void aClockSteppedBackEndsTheApplicationXidWindow() {
    HealthRules.Evaluation e = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "13").snapshot(),
        DeviceHistory.EMPTY, T0, WINDOW);
    HealthRules.Evaluation back = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "13").snapshot(),
        e.history(), T0 - 500, WINDOW);
    assertThat(back.health().state()).isEqualTo(HealthState.HEALTHY);
    assertThat(HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "13").snapshot(), back.history(),
        T0 + 500, WINDOW).health().state()).as("not back once the clock passes the XID again").isEqualTo(
        HealthState.HEALTHY);
  }

  @Test
  void ignoredXidsChangeNothing() {
    assertThat(health(gpu().with(MetricCatalog.XID_ERRORS, 4, "43").with(MetricCatalog.XID_ERRORS, 1, "63"))
        .state()).isEqualTo(HealthState.HEALTHY);
  }

  @Test
  void xidsSeenBeforeStillCountWhileTheDeviceIsLost() {
    HealthRules.Evaluation first = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "79").snapshot(),
        DeviceHistory.EMPTY, T0, WINDOW);
    DeviceHealth lost = HealthRules.evaluate(gpu().with(MetricCatalog.DEVICE_LOST, 1).lost().snapshot(),
        first.history(), T0 + 1000, WINDOW).health();
    assertThat(lost.reasons()).extracting(HealthReason::code).containsExactly("device_lost", "xid_79");
  }

  @Test
  void aLostDeviceHasFailed() {
    HealthReason r = only(health(gpu().with(MetricCatalog.DEVICE_LOST, 1).lost()));
    assertThat(r.code()).isEqualTo("device_lost");
    assertThat(r.state()).isEqualTo(HealthState.FAILED);
  }

  @Test
  void uncorrectableVolatileEccFailsTheDevice() {
    assertThat(only(health(gpu().with(MetricCatalog.ECC_ERRORS, 1, "uncorrected", "volatile")
        .with(MetricCatalog.ECC_ERRORS, 9, "corrected", "volatile")
        .with(MetricCatalog.ECC_ERRORS, 3, "uncorrected", "aggregate"))).code()).isEqualTo("ecc_uncorrected");
    assertThat(health(gpu().with(MetricCatalog.ECC_ERRORS, 0, "uncorrected", "volatile")
        .with(MetricCatalog.ECC_ERRORS, 3, "uncorrected", "aggregate")).state()).isEqualTo(HealthState.HEALTHY);
  }

  @Test
  void rowRemapPendingDegradesAndFailureFails() {
    HealthReason pending = only(health(gpu().with(MetricCatalog.ROW_REMAP_PENDING, 1)
        .with(MetricCatalog.ROW_REMAP_FAILED, 0)));
    assertThat(pending.code()).isEqualTo("row_remap_pending");
    assertThat(pending.state()).isEqualTo(HealthState.DEGRADED);
    HealthReason failed = only(health(gpu().with(MetricCatalog.ROW_REMAP_PENDING, 0)
        .with(MetricCatalog.ROW_REMAP_FAILED, 1)));
    assertThat(failed.code()).isEqualTo("row_remap_failed");
    assertThat(failed.state()).isEqualTo(HealthState.FAILED);
  }

  @Test
  void anNvlinkDownWhileOthersAreUpDegrades() {
    HealthReason r = only(health(gpu().with(MetricCatalog.NVLINK_UP, 1, "0").with(MetricCatalog.NVLINK_UP, 0, "1")
        .with(MetricCatalog.NVLINK_UP, 0, "2")));
    assertThat(r.code()).isEqualTo("nvlink_down");
    assertThat(r.detail()).isEqualTo("NVLink links 1, 2 down");
    assertThat(r.state()).isEqualTo(HealthState.DEGRADED);
  }

  @Test
  void linksThatWereNeverUpAreNoPeersButALinkThatWasUpIsDown() {
    Device allDown = gpu().with(MetricCatalog.NVLINK_UP, 0, "0").with(MetricCatalog.NVLINK_UP, 0, "1");
    assertThat(health(allDown).state()).isEqualTo(HealthState.HEALTHY);
    HealthRules.Evaluation up = HealthRules.evaluate(gpu().with(MetricCatalog.NVLINK_UP, 1, "0")
        .with(MetricCatalog.NVLINK_UP, 1, "1").snapshot(), DeviceHistory.EMPTY, T0, WINDOW);
    assertThat(HealthRules.evaluate(allDown.snapshot(), up.history(), T0 + 1000, WINDOW).health().state())
        .isEqualTo(HealthState.DEGRADED);
  }

  @Test
  void aPcieLinkBelowItsWidthDegradesAndBelowItsGenerationOnlyWhileBusy() {
    HealthReason width = only(health(gpu().with(MetricCatalog.PCIE_LINK_WIDTH, 8)
        .with(MetricCatalog.PCIE_LINK_WIDTH_MAX, 16)));
    assertThat(width.code()).isEqualTo("pcie_width_degraded");
    assertThat(width.detail()).isEqualTo("PCIe link x8, below its maximum x16");
    Device idleGen1 = gpu().with(MetricCatalog.PCIE_LINK_GEN, 1).with(MetricCatalog.PCIE_LINK_GEN_MAX, 5)
        .with(MetricCatalog.UTILIZATION, 0);
    assertThat(health(idleGen1).state()).as("idle links down-train on purpose").isEqualTo(HealthState.HEALTHY);
    Device busyGen3 = gpu().with(MetricCatalog.PCIE_LINK_GEN, 3).with(MetricCatalog.PCIE_LINK_GEN_MAX, 5)
        .with(MetricCatalog.UTILIZATION, 0.9);
    assertThat(only(health(busyGen3)).code()).isEqualTo("pcie_gen_degraded");
  }

  /**
   * The driver sets and clears a slowdown bit as it regulates: the reason enters at once and leaves only after a
   * minute clear, so the state does not flap every second and a sustained condition holds through an alert's for:.
   */
  @Test
  void aSlowdownThatComesAndGoesHoldsUntilAMinuteClear() {
    Device hot = gpu().with(MetricCatalog.CLOCK_EVENT, 1, "sw_thermal_slowdown");
    Device cool = gpu().with(MetricCatalog.CLOCK_EVENT, 0, "sw_thermal_slowdown");
    HealthRules.Evaluation e = HealthRules.evaluate(hot.snapshot(), DeviceHistory.EMPTY, T0, WINDOW);
    for (int s = 1; s <= 30; s++) { // toggling every second
      e = HealthRules.evaluate((s % 2 == 0 ? hot : cool).snapshot(), e.history(), T0 + s * 1000L, WINDOW);
      assertThat(only(e.health()).code()).as("second %d", s).isEqualTo("thermal_slowdown");
    }
    long lastHot = T0 + 30_000L;
    e = HealthRules.evaluate(cool.snapshot(), e.history(), lastHot + 59_000, WINDOW);
    assertThat(only(e.health()).detail()).endsWith("; clear for 59 s, held until a minute clear so that it does "
        + "not flap");
    assertThat(e.health().state()).isEqualTo(HealthState.DEGRADED);
    e = HealthRules.evaluate(cool.snapshot(), e.history(), lastHot + 60_000, WINDOW);
    assertThat(e.health().state()).isEqualTo(HealthState.HEALTHY);
  }

  /** A wall clock stepped back (NTP) must not hold a reason, or a fault input, for as long as the step. */
  @Test
  void aClockSteppedBackEndsTheHold() {
    HealthRules.Evaluation e = HealthRules.evaluate(gpu().with(MetricCatalog.CLOCK_EVENT, 1, "sw_thermal_slowdown")
        .with(MetricCatalog.ECC_ERRORS, 2, "uncorrected", "volatile").snapshot(), DeviceHistory.EMPTY, T0, WINDOW);
    e = HealthRules.evaluate(gpu().with(MetricCatalog.CLOCK_EVENT, 0, "sw_thermal_slowdown").snapshot(),
        e.history(), T0 - 3_600_000L, WINDOW);
    assertThat(e.health().state()).isEqualTo(HealthState.HEALTHY);
  }

  @Test
  void thermalSlowdownDegradesWithTheTemperature() {
    HealthReason r = only(health(gpu().with(MetricCatalog.TEMPERATURE, 91)
        .with(MetricCatalog.CLOCK_EVENT, 1, "hw_slowdown").with(MetricCatalog.CLOCK_EVENT, 1, "hw_thermal_slowdown")
        .with(MetricCatalog.CLOCK_EVENT, 1, "sw_thermal_slowdown").with(MetricCatalog.CLOCK_EVENT, 0, "sw_power_cap")));
    assertThat(r.code()).isEqualTo("thermal_slowdown");
    assertThat(r.state()).isEqualTo(HealthState.DEGRADED);
    assertThat(r.detail()).isEqualTo("clocks slowed down for heat (hw_thermal_slowdown, sw_thermal_slowdown, at 91 C)");
  }

  @Test
  void powerBrakeAndBareHardwareSlowdownDegrade() {
    assertThat(only(health(gpu().with(MetricCatalog.CLOCK_EVENT, 1, "hw_power_brake_slowdown")
        .with(MetricCatalog.CLOCK_EVENT, 1, "hw_slowdown"))).code()).isEqualTo("power_brake_slowdown");
    assertThat(only(health(gpu().with(MetricCatalog.CLOCK_EVENT, 1, "hw_slowdown"))).code())
        .isEqualTo("hw_slowdown");
  }

  @Test
  void dcmiAlarmLevelsMapToStatesAndNameTheErrorCodes() {
    assertThat(health(new Device(NPU).with(MetricCatalog.DRIVER_ALARM_LEVEL, 0)).state())
        .isEqualTo(HealthState.HEALTHY);
    HealthReason minor = only(health(new Device(NPU).with(MetricCatalog.DRIVER_ALARM_LEVEL, 1)));
    assertThat(minor.code()).isEqualTo("driver_alarm_minor");
    assertThat(minor.state()).isEqualTo(HealthState.DEGRADED);
    HealthReason major = only(health(new Device(NPU).with(MetricCatalog.DRIVER_ALARM_LEVEL, 2)
        .with(MetricCatalog.DRIVER_ERROR_CODES, 1).with(MetricCatalog.DRIVER_ERROR_CODE, 1, "0x80E01801")));
    assertThat(major.code()).isEqualTo("driver_alarm_major");
    assertThat(major.state()).isEqualTo(HealthState.FAILED);
    assertThat(major.detail()).contains("error codes 0x80E01801");
    assertThat(only(health(new Device(NPU).with(MetricCatalog.DRIVER_ALARM_LEVEL, 3))).state())
        .isEqualTo(HealthState.FAILED);
  }

  /** One failed health call must not turn a failed NPU healthy for a tick (and restart every alert's for:). */
  @Test
  void aDcmiAlarmLevelMissingForATickKeepsItsLastValue() {
    HealthRules.Evaluation e = HealthRules.evaluate(new Device(NPU).with(MetricCatalog.DRIVER_ALARM_LEVEL, 3)
        .snapshot(), DeviceHistory.EMPTY, T0, WINDOW);
    assertThat(HealthRules.evaluate(new Device(NPU).snapshot(), e.history(), T0 + 1000, WINDOW).health().state())
        .isEqualTo(HealthState.FAILED);
  }

  @Test
  void anUnhealthyNpuNetworkDegrades() {
    HealthReason r = only(health(new Device(NPU).with(MetricCatalog.NETWORK_HEALTHY, 0)));
    assertThat(r.code()).isEqualTo("network_unhealthy");
    assertThat(r.state()).isEqualTo(HealthState.DEGRADED);
  }

  @Test
  void theWorstReasonWinsAndEveryReasonIsListed() {
    DeviceHealth h = health(gpu().with(MetricCatalog.XID_ERRORS, 1, "79")
        .with(MetricCatalog.CLOCK_EVENT, 1, "hw_thermal_slowdown").with(MetricCatalog.ROW_REMAP_PENDING, 1));
    assertThat(h.state()).isEqualTo(HealthState.FAILED);
    assertThat(h.reasons()).extracting(HealthReason::code)
        .containsExactly("xid_79", "row_remap_pending", "thermal_slowdown");
  }

  /** The driver's recovery action fails or degrades the GPU, and clears once the driver says it was done. */
  @Test
  void theDriversRecoveryActionSaysWhatTheGpuNeedsUntilItIsDone() {
    HealthReason reset = only(health(gpu().with(MetricCatalog.RECOVERY_ACTION, 1)));
    assertThat(reset.code()).isEqualTo("recovery_gpu_reset");
    assertThat(reset.state()).isEqualTo(HealthState.FAILED);
    assertThat(reset.action()).contains("reset it");
    assertThat(only(health(gpu().with(MetricCatalog.RECOVERY_ACTION, 2))).action()).contains("reboot");
    HealthReason reducedCapacity = only(health(gpu().with(MetricCatalog.RECOVERY_ACTION, 4)));
    assertThat(reducedCapacity.code()).isEqualTo("recovery_drain_and_reset");
    assertThat(reducedCapacity.state()).isEqualTo(HealthState.DEGRADED);
    assertThat(only(health(gpu().with(MetricCatalog.RECOVERY_ACTION, 3))).state()).isEqualTo(HealthState.DEGRADED);
    assertThat(only(health(gpu().with(MetricCatalog.RECOVERY_ACTION, 9))).code()).isEqualTo("recovery_action_9");
    HealthReason ambiguous = only(health(gpu().with(MetricCatalog.RECOVERY_ACTION, 5)));
    assertThat(ambiguous.code()).as("copies of nvml.h disagree on 5").isEqualTo("recovery_action_5");
    assertThat(ambiguous.state()).as("an unknown action fails closed").isEqualTo(HealthState.FAILED);
    assertThat(health(gpu().with(MetricCatalog.RECOVERY_ACTION, 0)).state()).isEqualTo(HealthState.HEALTHY);
  }

  /**
   * An NVLink5 XID (144-150) may be recoverable or fatal, which NVML does not tell: it degrades the GPU for a while
   * and the recovery action, when the driver sets one, fails it.
   */
  @Test
  void nvlink5XidsDegradeForAWhileAndTheRecoveryActionDecides() {
    HealthRules.Evaluation first = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "145").snapshot(),
        DeviceHistory.EMPTY, T0, WINDOW);
    HealthReason r = only(first.health());
    assertThat(r.code()).isEqualTo("xid_145");
    assertThat(r.state()).isEqualTo(HealthState.DEGRADED);
    assertThat(r.action()).contains("accelerator_recovery_action");
    DeviceHealth later = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "145").snapshot(),
        first.history(), T0 + WINDOW.toMillis(), WINDOW).health();
    assertThat(later.state()).isEqualTo(HealthState.HEALTHY);
    DeviceHealth fatal = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "145")
        .with(MetricCatalog.RECOVERY_ACTION, 1).snapshot(), first.history(), T0 + WINDOW.toMillis(), WINDOW).health();
    assertThat(fatal.state()).isEqualTo(HealthState.FAILED);
    assertThat(fatal.reasons()).extracting(HealthReason::code).containsExactly("recovery_gpu_reset");
  }

  @Test
  void theXidCatalogFollowsNvidiasRecommendedActions() {
    assertThat(XidCatalog.lookup(79).action()).isEqualTo(XidCatalog.Action.REBOOT_NODE);
    assertThat(XidCatalog.lookup(48).action()).isEqualTo(XidCatalog.Action.RESET_GPU);
    assertThat(XidCatalog.lookup(95).action()).isEqualTo(XidCatalog.Action.RESET_GPU);
    assertThat(XidCatalog.lookup(31).action()).isEqualTo(XidCatalog.Action.RESTART_APP);
    assertThat(XidCatalog.lookup(63).action()).isEqualTo(XidCatalog.Action.IGNORE);
    assertThat(XidCatalog.lookup(999).action()).isEqualTo(XidCatalog.Action.RESTART_APP);
    for (int xid : new int[] {46, 110, 155, 158}) {
      assertThat(XidCatalog.lookup(xid).action()).as("XID %d", xid).isEqualTo(XidCatalog.Action.RESET_GPU);
    }
    assertThat(XidCatalog.lookup(151).action()).isEqualTo(XidCatalog.Action.RESTART_VM);
    assertThat(XidCatalog.lookup(54).action()).isEqualTo(XidCatalog.Action.CHECK_MECHANICALS);
    for (int xid : new int[] {37, 38, 44, 66, 67, 93, 106, 107, 121, 137, 141, 152, 153, 160, 161}) {
      assertThat(XidCatalog.lookup(xid).action()).as("XID %d", xid).isEqualTo(XidCatalog.Action.IGNORE);
    }
  }

  /** XID 158 (GPU fatal timeout) asks for a reset: failed, and still failed after the application window. */
  @Test
  void aGpuFatalTimeoutFailsTheDeviceUntilItIsReset() {
    HealthRules.Evaluation first = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "158").snapshot(),
        DeviceHistory.EMPTY, T0, WINDOW);
    assertThat(only(first.health()).state()).isEqualTo(HealthState.FAILED);
    assertThat(only(first.health()).action()).isEqualTo("reset the GPU");
    HealthRules.Evaluation later = HealthRules.evaluate(gpu().with(MetricCatalog.XID_ERRORS, 1, "158").snapshot(),
        first.history(), T0 + 2 * WINDOW.toMillis(), WINDOW);
    assertThat(later.health().state()).isEqualTo(HealthState.FAILED);
  }
}
