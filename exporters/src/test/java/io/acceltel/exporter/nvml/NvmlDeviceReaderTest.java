package io.acceltel.exporter.nvml;

import static io.acceltel.exporter.nvml.NvmlTestSupport.tick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.acceltel.exporter.nvml.NvmlTestSupport.Readings;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.Vendor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What one tick reads from a GPU, in the catalog's units, against the C double of libnvidia-ml. */
class NvmlDeviceReaderTest extends NvmlDoubleTest {
  @Test
  void enumeratesDevicesAndDescribesTheDriver() throws Exception {
    NvmlDeviceReader first = gpu(0);
    assertThat(backend.name()).isEqualTo("nvml");
    assertThat(backend.description()).isEqualTo("NVIDIA NVML 13.580.159.04, driver 580.159.04, 2 GPUs");
    assertThat(backend.devices()).hasSize(2);
    assertThat(first.identity().index()).isZero();
    assertThat(first.identity().uuid()).isEqualTo("GPU-eb0c700f-8671-c9a0-6ccc-0dffbc578260");
    assertThat(first.identity().model()).isEqualTo("NVIDIA H100 80GB HBM3");
    assertThat(first.identity().vendor()).isEqualTo(Vendor.NVIDIA);
    assertThat(backend.devices().get(1).identity().uuid()).endsWith("61");
    assertThat(DOUBLE.nvmlDouble_initCount()).isEqualTo(1);
  }

  /** The minor number (/dev/nvidiaN) is what GKE's device plugin names a GPU by; attribution joins on it there. */
  @Test
  void theMinorNumberIsPartOfTheIdentity() throws Exception {
    DOUBLE.nvmlDouble_setUint("minor", 1, 7);
    assertThat(gpu(0).identity().minor()).isZero();
    assertThat(gpu(1).identity().minor()).isEqualTo(7);
  }

  @Test
  void closeShutsNvmlDownAndFreesTheEventSet() throws Exception {
    gpu(0);
    backend.close();
    assertThat(DOUBLE.nvmlDouble_initCount()).isZero();
    assertThat(DOUBLE.nvmlDouble_calls("nvmlEventSetFree")).isEqualTo(1);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlGpmSampleFree")).isEqualTo(4);
    backend = null;
  }

  @Test
  void memoryV2FieldsLandWhereTheyBelong() throws Exception {
    DOUBLE.nvmlDouble_setUint("memory.total", 0, 85_520_809_984L);
    DOUBLE.nvmlDouble_setUint("memory.reserved", 0, 503_316_480L);
    DOUBLE.nvmlDouble_setUint("memory.free", 0, 68_456_309_248L);
    DOUBLE.nvmlDouble_setUint("memory.used", 0, 17_061_183_488L);
    DOUBLE.nvmlDouble_setUint("bar1.total", 0, 137_438_953_472L);
    DOUBLE.nvmlDouble_setUint("bar1.used", 0, 2_097_152L);
    Readings r = tick(gpu(0), 1000);
    assertThat(r.value(MetricCatalog.MEMORY_TOTAL)).isEqualTo(85_520_809_984.0);
    assertThat(r.value(MetricCatalog.MEMORY_RESERVED)).isEqualTo(503_316_480.0);
    assertThat(r.value(MetricCatalog.MEMORY_FREE)).isEqualTo(68_456_309_248.0);
    assertThat(r.value(MetricCatalog.MEMORY_USED)).isEqualTo(17_061_183_488.0);
    assertThat(r.value(MetricCatalog.BAR1_TOTAL)).isEqualTo(137_438_953_472.0);
    assertThat(r.value(MetricCatalog.BAR1_USED)).isEqualTo(2_097_152.0);
  }

  @Test
  void memoryFallsBackToV1WhenV2IsNotThere() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetMemoryInfo_v2", NvmlDouble.ANY_DEVICE, NvmlReturn.FUNCTION_NOT_FOUND);
    NvmlDeviceReader reader = gpu(0);
    Readings r = tick(reader, 1000);
    // v1 used includes what the driver reserves, and there is no reserved figure
    assertThat(r.value(MetricCatalog.MEMORY_USED)).isEqualTo(503_316_480.0);
    assertThat(r.has(MetricCatalog.MEMORY_RESERVED)).isFalse();
    tick(reader, 2000);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetMemoryInfo_v2")).as("v2 is not retried").isEqualTo(1);
    assertThat(observer.failures).isEmpty();
  }

  /** A device that does not answer v2 (NOT_SUPPORTED) still has v1's total, used and free. */
  @Test
  void memoryFallsBackToV1WhenTheDeviceDoesNotSupportV2() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetMemoryInfo_v2", 0, NvmlReturn.NOT_SUPPORTED);
    NvmlDeviceReader reader = gpu(0);
    tick(reader, 1000);
    Readings r = tick(reader, 2000);
    assertThat(r.value(MetricCatalog.MEMORY_USED)).isEqualTo(503_316_480.0);
    assertThat(r.has(MetricCatalog.MEMORY_TOTAL)).isTrue();
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetMemoryInfo_v2")).as("v2 is not retried").isEqualTo(1);

    // A recovered device (or one whose MIG mode changed) may answer v2 again, and its reserved memory comes back.
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetMemoryInfo_v2", 0, NvmlReturn.SUCCESS);
    assertThat(reader.recover()).isTrue();
    assertThat(tick(reader, 3000).has(MetricCatalog.MEMORY_RESERVED)).isTrue();
  }

  @Test
  void convertsUnitsToTheCatalogs() throws Exception {
    DOUBLE.nvmlDouble_setUint("power.limit", 0, 700_000);
    DOUBLE.nvmlDouble_setUint("power.usage", 0, 268_540);
    DOUBLE.nvmlDouble_setUint("clock.sm", 0, 1980);
    DOUBLE.nvmlDouble_setUint("clock.mem", 0, 2619);
    DOUBLE.nvmlDouble_setUint("clock.graphics", 0, 1755);
    DOUBLE.nvmlDouble_setUint("maxclock.sm", 0, 1980);
    DOUBLE.nvmlDouble_setUint("util.gpu", 0, 76);
    DOUBLE.nvmlDouble_setUint("util.memory", 0, 33);
    DOUBLE.nvmlDouble_setUint("encoder", 0, 5);
    DOUBLE.nvmlDouble_setUint("decoder", 0, 12);
    DOUBLE.nvmlDouble_setUint("temperature", 0, 41);
    DOUBLE.nvmlDouble_setUint("pstate", 0, 2);
    DOUBLE.nvmlDouble_setUint("energy", 0, 2_303_493);
    NvmlDeviceReader reader = gpu(0);
    Readings r = tick(reader, 1000);
    assertThat(r.value(MetricCatalog.POWER_LIMIT)).isEqualTo(700.0);
    assertThat(r.value(MetricCatalog.POWER)).as("no samples: PowerUsage").isEqualTo(268.54, within(1e-9));
    assertThat(r.value(MetricCatalog.POWER_MAX)).isEqualTo(268.54, within(1e-9));
    assertThat(r.value(MetricCatalog.CLOCK, "sm")).isEqualTo(1.98e9);
    assertThat(r.value(MetricCatalog.CLOCK, "memory")).isEqualTo(2.619e9);
    assertThat(r.value(MetricCatalog.CLOCK, "graphics")).isEqualTo(1.755e9);
    assertThat(r.value(MetricCatalog.CLOCK_MAX, "sm")).isEqualTo(1.98e9);
    assertThat(r.value(MetricCatalog.UTILIZATION)).isEqualTo(0.76, within(1e-9));
    assertThat(r.value(MetricCatalog.UTILIZATION_MAX)).isEqualTo(0.76, within(1e-9));
    assertThat(r.value(MetricCatalog.MEMORY_UTILIZATION)).isEqualTo(0.33, within(1e-9));
    assertThat(r.value(MetricCatalog.ENCODER_UTILIZATION)).isEqualTo(0.05, within(1e-9));
    assertThat(r.value(MetricCatalog.DECODER_UTILIZATION)).isEqualTo(0.12, within(1e-9));
    assertThat(r.value(MetricCatalog.TEMPERATURE)).isEqualTo(41.0);
    assertThat(r.value(MetricCatalog.PSTATE)).isEqualTo(2.0);
    assertThat(r.value(MetricCatalog.PCIE_LINK_GEN)).isEqualTo(5.0);
    assertThat(r.value(MetricCatalog.PCIE_LINK_WIDTH_MAX)).isEqualTo(16.0);
    assertThat(r.value(MetricCatalog.MEMORY_TEMPERATURE)).isEqualTo(34.0);
    // Absolute temperatures, not the *_TLIMIT fields' margins to T.Limit (-5 and -2 in the double, as on an H100).
    assertThat(r.value(MetricCatalog.TEMPERATURE_SHUTDOWN)).isEqualTo(92.0);
    assertThat(r.value(MetricCatalog.TEMPERATURE_SLOWDOWN)).isEqualTo(89.0);
    long thresholdCalls = DOUBLE.nvmlDouble_calls("nvmlDeviceGetTemperatureThreshold");
    Readings later = tick(reader, 2000);
    assertThat(later.value(MetricCatalog.TEMPERATURE_SLOWDOWN)).isEqualTo(89.0);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetTemperatureThreshold")).as("fixed values, read once")
        .isEqualTo(thresholdCalls);
    assertThat(r.has(MetricCatalog.FAN_SPEED)).as("H100 SXM has no fan reading").isFalse();
    assertThat(r.has(MetricCatalog.ENERGY)).as("energy is read in the background only").isFalse();

    Readings background = new Readings();
    reader.readBackground(background);
    assertThat(background.value(MetricCatalog.ENERGY)).isEqualTo(2303.493, within(1e-9));
  }

  @Test
  void theDriversRecoveryActionIsReadOnEveryTickInTheSameFieldCall() throws Exception {
    NvmlDeviceReader reader = gpu(0);
    assertThat(tick(reader, 1000).value(MetricCatalog.RECOVERY_ACTION)).isEqualTo(0.0);
    DOUBLE.nvmlDouble_setField(0, FieldValueReader.FI_GPU_RECOVERY_ACTION, NvmlDouble.UINT, 4, 0);
    assertThat(tick(reader, 2000).value(MetricCatalog.RECOVERY_ACTION)).isEqualTo(4.0);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetFieldValues")).as("batched with the other fields").isEqualTo(2);
  }

  /** A driver older than the field answers INVALID_ARGUMENT for it: left out for good, not an error every tick. */
  @Test
  void aRecoveryActionTheDriverDoesNotKnowIsLeftOutNotCountedAsAnError() throws Exception {
    DOUBLE.nvmlDouble_setField(0, FieldValueReader.FI_GPU_RECOVERY_ACTION, NvmlDouble.UINT, 0,
        NvmlReturn.INVALID_ARGUMENT);
    NvmlDeviceReader reader = gpu(0);
    assertThat(tick(reader, 1000).has(MetricCatalog.RECOVERY_ACTION)).isFalse();
    assertThat(tick(reader, 2000).value(MetricCatalog.MEMORY_TEMPERATURE)).as("the other fields go on").isEqualTo(34.0);
    assertThat(observer.unsupported).filteredOn("nvmlDeviceGetFieldValues(230)"::equals).hasSize(1);
    assertThat(observer.failures).isEmpty();
  }

  @Test
  void throttleTimesAreReadInTheBackgroundInSecondsAndAnUnsupportedPolicyIsDropped() throws Exception {
    DOUBLE.nvmlDouble_setField(0, 74, NvmlDouble.ULONGLONG, 2_500_000_000L, 0); // POWER: 2.5 s in ns
    DOUBLE.nvmlDouble_setField(0, 75, NvmlDouble.ULONGLONG, 750_000L, 0); // THERMAL: 0.75 ms
    DOUBLE.nvmlDouble_setField(0, 79, NvmlDouble.ULONGLONG, 0, NvmlReturn.NOT_SUPPORTED); // RELIABILITY
    NvmlDeviceReader reader = gpu(0);
    Readings tick = tick(reader, 1000);
    assertThat(tick.has(MetricCatalog.CLOCK_LIMITED)).as("a field can cost ms: not on the tick's path").isFalse();
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetFieldValues")).isEqualTo(1);

    Readings background = new Readings();
    reader.readBackground(background);
    assertThat(background.of(MetricCatalog.CLOCK_LIMITED)).extracting(x -> x.labelValues().get(0)).containsExactly(
        "power", "thermal", "sync_boost", "board_limit", "low_utilization", "below_application_clocks",
        "below_base_clocks");
    assertThat(background.value(MetricCatalog.CLOCK_LIMITED, "power")).isEqualTo(2.5, within(1e-12));
    assertThat(background.value(MetricCatalog.CLOCK_LIMITED, "thermal")).isEqualTo(0.00075, within(1e-12));
    assertThat(background.value(MetricCatalog.CLOCK_LIMITED, "low_utilization")).isEqualTo(3600.0, within(1e-9));
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetFieldValues")).as("one batched call").isEqualTo(2);
    assertThat(observer.unsupported).contains("nvmlDeviceGetFieldValues(79)");

    DOUBLE.nvmlDouble_setField(0, 74, NvmlDouble.ULONGLONG, 3_000_000_000L, 0);
    Readings later = new Readings();
    reader.readBackground(later);
    assertThat(later.value(MetricCatalog.CLOCK_LIMITED, "power")).isEqualTo(3.0, within(1e-12));
    assertThat(later.of(MetricCatalog.CLOCK_LIMITED)).hasSize(7);
    assertThat(observer.unsupported).filteredOn("nvmlDeviceGetFieldValues(79)"::equals).as("logged once").hasSize(1);
    assertThat(observer.failures).isEmpty();
  }

  @Test
  void everyClockEventReasonGetsASeries() throws Exception {
    DOUBLE.nvmlDouble_setUint("clock.reasons", 0, 0x4 | 0x40);
    Readings r = tick(gpu(0), 1000);
    assertThat(r.of(MetricCatalog.CLOCK_EVENT)).extracting(x -> x.labelValues().get(0)).containsExactly(
        "gpu_idle", "applications_clocks_setting", "sw_power_cap", "hw_slowdown", "sync_boost",
        "sw_thermal_slowdown", "hw_thermal_slowdown", "hw_power_brake_slowdown", "display_clock_setting");
    assertThat(r.value(MetricCatalog.CLOCK_EVENT, "sw_power_cap")).isEqualTo(1.0);
    assertThat(r.value(MetricCatalog.CLOCK_EVENT, "hw_thermal_slowdown")).isEqualTo(1.0);
    assertThat(r.value(MetricCatalog.CLOCK_EVENT, "gpu_idle")).isEqualTo(0.0);
  }

  @Test
  void eccAndRemappedRows() throws Exception {
    DOUBLE.nvmlDouble_setUint("ecc.corrected.volatile", 0, 3);
    DOUBLE.nvmlDouble_setUint("ecc.corrected.aggregate", 0, 40);
    DOUBLE.nvmlDouble_setUint("ecc.uncorrected.volatile", 0, 1);
    DOUBLE.nvmlDouble_setUint("ecc.uncorrected.aggregate", 0, 2);
    DOUBLE.nvmlDouble_setUint("remap.correctable", 0, 5);
    DOUBLE.nvmlDouble_setUint("remap.uncorrectable", 0, 1);
    DOUBLE.nvmlDouble_setUint("remap.pending", 0, 1);
    Readings r = tick(gpu(0), 1000);
    assertThat(r.value(MetricCatalog.ECC_ERRORS, "corrected", "volatile")).isEqualTo(3.0);
    assertThat(r.value(MetricCatalog.ECC_ERRORS, "corrected", "aggregate")).isEqualTo(40.0);
    assertThat(r.value(MetricCatalog.ECC_ERRORS, "uncorrected", "volatile")).isEqualTo(1.0);
    assertThat(r.value(MetricCatalog.ECC_ERRORS, "uncorrected", "aggregate")).isEqualTo(2.0);
    assertThat(r.value(MetricCatalog.REMAPPED_ROWS, "correctable")).isEqualTo(5.0);
    assertThat(r.value(MetricCatalog.REMAPPED_ROWS, "uncorrectable")).isEqualTo(1.0);
    assertThat(r.value(MetricCatalog.ROW_REMAP_PENDING)).isEqualTo(1.0);
    assertThat(r.value(MetricCatalog.ROW_REMAP_FAILED)).isEqualTo(0.0);
  }

  @Test
  void pcieByteCountersBecomeRatesAcrossA32BitWrap() throws Exception {
    NvmlDeviceReader reader = gpu(0);
    DOUBLE.nvmlDouble_setField(0, 197, NvmlDouble.UINT, 4_294_000_000L, 0);
    DOUBLE.nvmlDouble_setField(0, 198, NvmlDouble.UINT, 1_000_000L, 0);
    Readings first = tick(reader, 10_000);
    assertThat(first.has(MetricCatalog.PCIE_TX)).as("no rate before a second counter value").isFalse();

    DOUBLE.nvmlDouble_setField(0, 197, NvmlDouble.UINT, 1_032_704L, 0); // wrapped: +2,000,000 bytes
    DOUBLE.nvmlDouble_setField(0, 198, NvmlDouble.UINT, 3_000_000L, 0);
    clock.advanceMillis(2000);
    Readings second = tick(reader, 11_000); // meant 1 s later, read 2 s later: the rate follows the reads
    assertThat(second.value(MetricCatalog.PCIE_TX)).isEqualTo(1_000_000.0, within(1e-6));
    assertThat(second.value(MetricCatalog.PCIE_RX)).isEqualTo(1_000_000.0, within(1e-6));
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetFieldValues")).as("one batched call a tick").isEqualTo(2);
  }

  @Test
  void a64BitCounterThatWentDownWasResetAndGivesNoRate() throws Exception {
    NvmlDeviceReader reader = gpu(0);
    DOUBLE.nvmlDouble_setField(0, 197, NvmlDouble.ULONGLONG, 9_000_000_000L, 0);
    tick(reader, 1000);
    DOUBLE.nvmlDouble_setField(0, 197, NvmlDouble.ULONGLONG, 10_000L, 0);
    clock.advanceMillis(1000);
    assertThat(tick(reader, 2000).has(MetricCatalog.PCIE_TX)).isFalse();
    DOUBLE.nvmlDouble_setField(0, 197, NvmlDouble.ULONGLONG, 510_000L, 0);
    clock.advanceMillis(500);
    assertThat(tick(reader, 2500).value(MetricCatalog.PCIE_TX)).isEqualTo(1_000_000.0, within(1e-6));
  }

  /** NOT_SUPPORTED is per counter: one counter the GPU lacks leaves only that counter out, on every link. */
  @Test
  void anUnsupportedErrorCounterLeavesOnlyItselfOut() throws Exception {
    DOUBLE.nvmlDouble_setUint("nvlink.count", 0, 2);
    DOUBLE.nvmlDouble_setUint("nvlink.error.3.unsupported", 0, 1); // DL_CRC_DATA
    DOUBLE.nvmlDouble_setUint("nvlink.1.error.1", 0, 4); // DL_RECOVERY on link 1
    DOUBLE.nvmlDouble_setUint("ecc.corrected.aggregate.unsupported", 0, 1);
    DOUBLE.nvmlDouble_setUint("ecc.uncorrected.volatile", 0, 2);
    NvmlDeviceReader reader = gpu(0);
    tick(reader, 1000);
    Readings r = tick(reader, 2000);
    assertThat(r.of(MetricCatalog.NVLINK_ERRORS)).extracting(x -> x.labelValues().get(1))
        .containsExactly("crc_flit", "replay", "recovery", "crc_flit", "replay", "recovery");
    assertThat(r.value(MetricCatalog.NVLINK_ERRORS, "1", "recovery")).isEqualTo(4.0);
    assertThat(r.of(MetricCatalog.ECC_ERRORS)).extracting(x -> x.labelValues())
        .containsExactly(List.of("corrected", "volatile"), List.of("uncorrected", "volatile"),
            List.of("uncorrected", "aggregate"));
    assertThat(r.value(MetricCatalog.ECC_ERRORS, "uncorrected", "volatile")).isEqualTo(2.0);
    assertThat(observer.unsupported).containsOnlyOnce("nvmlDeviceGetNvLinkErrorCounter(crc_data)",
        "nvmlDeviceGetTotalEccErrors(corrected, aggregate)");
  }

  @Test
  void nvLinkLinksAreProbedOnceAndTheirTrafficIsInKibibytes() throws Exception {
    DOUBLE.nvmlDouble_setUint("nvlink.count", 0, 4);
    DOUBLE.nvmlDouble_setUint("nvlink.2.down", 0, 1);
    DOUBLE.nvmlDouble_setUint("nvlink.1.error.2", 0, 7); // DL_CRC_FLIT on link 1
    DOUBLE.nvmlDouble_setField(0, 138, NvmlDouble.ULONGLONG, 1_000, 0);
    DOUBLE.nvmlDouble_setField(0, 139, NvmlDouble.ULONGLONG, 0, 0);
    NvmlDeviceReader reader = gpu(0);
    Readings first = tick(reader, 1000);
    assertThat(first.of(MetricCatalog.NVLINK_UP)).hasSize(4);
    assertThat(first.value(MetricCatalog.NVLINK_UP, "0")).isEqualTo(1.0);
    assertThat(first.value(MetricCatalog.NVLINK_UP, "2")).isEqualTo(0.0);
    assertThat(first.value(MetricCatalog.NVLINK_ERRORS, "1", "crc_flit")).isEqualTo(7.0);
    assertThat(first.value(MetricCatalog.NVLINK_ERRORS, "3", "recovery")).isEqualTo(0.0);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetNvLinkState")).isEqualTo(5); // 4 links + the one that ends them

    DOUBLE.nvmlDouble_setField(0, 138, NvmlDouble.ULONGLONG, 3_000, 0);
    DOUBLE.nvmlDouble_setField(0, 139, NvmlDouble.ULONGLONG, 500, 0);
    clock.advanceMillis(1000);
    Readings second = tick(reader, 2000);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetNvLinkState")).isEqualTo(9);
    assertThat(second.value(MetricCatalog.NVLINK_TX)).isEqualTo(2_000 * 1024.0);
    assertThat(second.value(MetricCatalog.NVLINK_RX)).isEqualTo(500 * 1024.0);
  }

  @Test
  void aDeviceWithoutNvLinkIsProbedOnlyOnce() throws Exception {
    NvmlDeviceReader reader = gpu(0);
    Readings r = tick(reader, 1000);
    tick(reader, 2000);
    assertThat(r.has(MetricCatalog.NVLINK_UP)).isFalse();
    assertThat(r.has(MetricCatalog.NVLINK_TX)).isFalse();
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetNvLinkState")).isEqualTo(1);
    assertThat(observer.unsupported).contains("nvmlDeviceGetNvLinkState", "nvmlDeviceGetFieldValues(138)");

    // After a recovery the links are counted again.
    DOUBLE.nvmlDouble_setUint("nvlink.count", 0, 2);
    assertThat(reader.recover()).isTrue();
    assertThat(tick(reader, 3000).has(MetricCatalog.NVLINK_UP)).isTrue();
  }

  @Test
  void computeProcessesWith24ByteEntries() throws Exception {
    DOUBLE.nvmlDouble_addProcess(0, 4242, 1L << 30);
    DOUBLE.nvmlDouble_addProcess(0, 4243, 3L << 30);
    DOUBLE.nvmlDouble_addProcess(0, 4244, -1L); // NVML_VALUE_NOT_AVAILABLE
    NvmlDeviceReader reader = gpu(0);
    Readings r = tick(reader, 1000);
    assertThat(r.value(MetricCatalog.PROCESSES)).isEqualTo(3.0);
    assertThat(r.value(MetricCatalog.PROCESS_MEMORY)).isEqualTo((double) (4L << 30));
  }

  @Test
  void computeProcessesWith32ByteEntriesFromAnR535EraDriver() throws Exception {
    DOUBLE.nvmlDouble_setProcessStride(32);
    DOUBLE.nvmlDouble_addProcess(0, 4242, 1L << 30);
    DOUBLE.nvmlDouble_addProcess(0, 4243, 3L << 30);
    Readings r = tick(gpu(0), 1000);
    assertThat(r.value(MetricCatalog.PROCESSES)).isEqualTo(2.0);
    assertThat(r.value(MetricCatalog.PROCESS_MEMORY)).isEqualTo((double) (4L << 30));
  }

  @Test
  void noProcessesIsZeroNotAbsent() throws Exception {
    Readings r = tick(gpu(0), 1000);
    assertThat(r.value(MetricCatalog.PROCESSES)).isZero();
    assertThat(r.value(MetricCatalog.PROCESS_MEMORY)).isZero();
  }

  @Test
  void deviceInfoCarriesTheStaticStrings() throws Exception {
    Readings r = tick(gpu(1), 1000);
    assertThat(r.of(MetricCatalog.DEVICE_INFO)).singleElement().satisfies(info -> {
      assertThat(info.labelValues()).containsExactly("1652324001231", "580.159.04", "96.00.99.00.01",
          "00000000:19:00.0", "disabled");
      assertThat(info.value()).isEqualTo(1.0);
    });
  }

  @Test
  void aMigModeRefusedForNowIsNotAMigChange() throws Exception {
    DOUBLE.nvmlDouble_setUint("mig.mode", 0, 1);
    DOUBLE.nvmlDouble_setMig(0, 0, "MIG-aaaa", "NVIDIA H100 80GB HBM3 MIG 3g.40gb", 1, 0, 40L << 30, 5L << 30);
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetUtilizationRates", 0, NvmlReturn.NOT_SUPPORTED);
    NvmlDeviceReader reader = gpu(0);
    tick(reader, 1000);
    long utilizationCalls = DOUBLE.nvmlDouble_calls("nvmlDeviceGetUtilizationRates");
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetMigMode", 0, NvmlReturn.NO_PERMISSION);
    Readings refused = tick(reader, 2000);
    Readings after = tick(reader, 3000);
    assertThat(after.of(MetricCatalog.MIG_INFO)).as("MIG still on: its instances are read").hasSize(1);
    assertThat(after.of(MetricCatalog.DEVICE_INFO).get(0).labelValues().get(4)).isEqualTo("enabled");
    assertThat(refused.of(MetricCatalog.MIG_INFO)).hasSize(1);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetUtilizationRates")).as("no probing again, as after a change")
        .isEqualTo(utilizationCalls);
  }

  @Test
  void migInstancesWhenMigIsEnabled() throws Exception {
    DOUBLE.nvmlDouble_setUint("mig.mode", 0, 1);
    DOUBLE.nvmlDouble_setMig(0, 0, "MIG-aaaa", "NVIDIA H100 80GB HBM3 MIG 3g.40gb", 1, 0, 40L << 30, 5L << 30);
    DOUBLE.nvmlDouble_setMig(0, 3, "MIG-bbbb", "NVIDIA H100 80GB HBM3 MIG 1g.10gb", 9, 0, 10L << 30, 0);
    NvmlDeviceReader reader = gpu(0);
    Readings r = tick(reader, 1000);
    assertThat(r.of(MetricCatalog.MIG_INFO)).extracting(x -> x.labelValues()).containsExactlyInAnyOrder(
        List.of("MIG-aaaa", "1", "0", "3g.40gb"), List.of("MIG-bbbb", "9", "0", "1g.10gb"));
    assertThat(r.value(MetricCatalog.MIG_MEMORY_USED, "MIG-aaaa", "1")).isEqualTo((double) (5L << 30));
    assertThat(r.value(MetricCatalog.MIG_MEMORY_TOTAL, "MIG-bbbb", "9")).isEqualTo((double) (10L << 30));
    assertThat(r.of(MetricCatalog.DEVICE_INFO).get(0).labelValues().get(4)).isEqualTo("enabled");

    long nameCalls = DOUBLE.nvmlDouble_calls("nvmlDeviceGetName");
    tick(reader, 2000);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetName")).as("MIG identities are cached").isEqualTo(nameCalls);

    // A reconfiguration re-creates slot 3 with the same GPU-instance id (and, in the double, the same handle): the
    // new UUID is what the kubelet hands out, so it must replace the cached one at once.
    DOUBLE.nvmlDouble_setMig(0, 3, "MIG-cccc", "NVIDIA H100 80GB HBM3 MIG 1g.10gb", 9, 0, 10L << 30, 0);
    assertThat(tick(reader, 3000).of(MetricCatalog.MIG_INFO)).extracting(x -> x.labelValues().get(0))
        .containsExactlyInAnyOrder("MIG-aaaa", "MIG-cccc");
  }
}
