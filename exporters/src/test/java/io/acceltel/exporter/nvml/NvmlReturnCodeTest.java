package io.acceltel.exporter.nvml;

import static io.acceltel.exporter.nvml.NvmlTestSupport.awaitTrue;
import static io.acceltel.exporter.nvml.NvmlTestSupport.context;
import static io.acceltel.exporter.nvml.NvmlTestSupport.open;
import static io.acceltel.exporter.nvml.NvmlTestSupport.tick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.DeviceBackendProvider;
import io.acceltel.exporter.device.DeviceBackends;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.nvml.NvmlTestSupport.FakeClock;
import io.acceltel.exporter.nvml.NvmlTestSupport.Readings;
import io.acceltel.exporter.nvml.NvmlTestSupport.RecordingObserver;
import io.acceltel.exporter.nvml.NvmlTestSupport.RecordingObserver.Failure;
import io.acceltel.model.catalog.MetricCatalog;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every NVML return code the backend handles, forced through the double. */
class NvmlReturnCodeTest extends NvmlDoubleTest {
  /** Every call opens a fresh backend: these tests set a return code first and look at how the open reacts. */
  @Override
  NvmlDeviceReader gpu(int index) {
    if (backend != null) {
      backend.close(); // its XID thread would go on waiting in the double, and take the events of later tests
    }
    backend = null;
    return super.gpu(index);
  }

  @Test
  void notSupportedDropsJustThatMetricAndIsNotCalledAgain() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetEnforcedPowerLimit", 0, NvmlReturn.NOT_SUPPORTED);
    NvmlDeviceReader reader = gpu(0);
    Readings r = tick(reader, 1000);
    assertThat(r.has(MetricCatalog.POWER_LIMIT)).isFalse();
    assertThat(r.has(MetricCatalog.POWER)).isTrue();
    assertThat(r.has(MetricCatalog.TEMPERATURE)).isTrue();
    assertThat(observer.unsupported).containsOnlyOnce("nvmlDeviceGetEnforcedPowerLimit", "nvmlDeviceGetFanSpeed");
    assertThat(observer.failures).isEmpty();

    tick(reader, 2000);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetEnforcedPowerLimit")).isEqualTo(1);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetFanSpeed")).isEqualTo(1);
    assertThat(tick((NvmlDeviceReader) backend.devices().get(1), 1000).has(MetricCatalog.POWER_LIMIT))
        .as("only the device that said NOT_SUPPORTED loses the metric").isTrue();
  }

  @Test
  void aFanThatIsSupportedIsARatio() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetFanSpeed", NvmlDouble.ANY_DEVICE, NvmlReturn.SUCCESS);
    DOUBLE.nvmlDouble_setUint("fan", 0, 110);
    assertThat(tick(gpu(0), 1000).value(MetricCatalog.FAN_SPEED)).isEqualTo(1.1);
  }

  @ParameterizedTest
  @ValueSource(ints = {NvmlReturn.UNKNOWN, NvmlReturn.INSUFFICIENT_POWER,
      NvmlReturn.TIMEOUT, NvmlReturn.CORRUPTED_INFOROM, NvmlReturn.UNINITIALIZED})
  void otherFailuresDropTheMetricForTheTickAndAreCounted(int rc) throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetTemperature", 0, rc);
    NvmlDeviceReader reader = gpu(0);
    Readings r = tick(reader, 1000);
    assertThat(r.has(MetricCatalog.TEMPERATURE)).isFalse();
    assertThat(r.has(MetricCatalog.CLOCK)).isTrue();
    assertThat(observer.failures).containsExactly(
        new Failure("nvml", "nvmlDeviceGetTemperature", rc, NvmlReturn.name(rc)));

    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetTemperature", 0, NvmlReturn.SUCCESS);
    assertThat(tick(reader, 2000).value(MetricCatalog.TEMPERATURE)).as("retried next tick").isEqualTo(31.0);
  }

  /**
   * A process's privileges do not change while it runs: NO_PERMISSION is counted, and the call is asked again a
   * minute later rather than every tick (which would count the same refusal forever), or after a recovery.
   */
  @Test
  void noPermissionIsCountedAndAskedAgainAfterAMinute() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetTemperature", 0, NvmlReturn.NO_PERMISSION);
    NvmlDeviceReader reader = gpu(0);
    assertThat(tick(reader, 1000).has(MetricCatalog.TEMPERATURE)).isFalse();
    assertThat(observer.failures).containsExactly(new Failure("nvml", "nvmlDeviceGetTemperature",
        NvmlReturn.NO_PERMISSION, NvmlReturn.name(NvmlReturn.NO_PERMISSION)));
    long calls = DOUBLE.nvmlDouble_calls("nvmlDeviceGetTemperature");

    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetTemperature", 0, NvmlReturn.SUCCESS);
    clock.advanceMillis(59_000);
    assertThat(tick(reader, 60_000).has(MetricCatalog.TEMPERATURE)).isFalse();
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetTemperature")).as("not asked within the minute")
        .isEqualTo(calls);
    assertThat(observer.failures).hasSize(1);
    clock.advanceMillis(1_000);
    assertThat(tick(reader, 61_000).value(MetricCatalog.TEMPERATURE)).isEqualTo(31.0);

    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetTemperature", 0, NvmlReturn.NO_PERMISSION);
    clock.advanceMillis(1_000);
    tick(reader, 62_000);
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetTemperature", 0, NvmlReturn.SUCCESS);
    assertThat(reader.recover()).isTrue();
    assertThat(tick(reader, 63_000).value(MetricCatalog.TEMPERATURE)).as("a recovery asks again at once")
        .isEqualTo(31.0);
  }

  /**
   * Remapped rows are NOT_SUPPORTED while MIG instances exist and readable again once they are destroyed, which
   * changes no MIG mode: the call is told once and asked again every minute, never left for good.
   */
  @Test
  void remappedRowsRefusedWhileMigInstancesExistAreAskedAgainEveryMinute() throws Exception {
    DOUBLE.nvmlDouble_setUint("remap.failure", 0, 1);
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetRemappedRows", 0, NvmlReturn.NOT_SUPPORTED);
    NvmlDeviceReader reader = gpu(0);
    assertThat(tick(reader, 1000).has(MetricCatalog.ROW_REMAP_FAILED)).isFalse();
    assertThat(tick(reader, 2000).has(MetricCatalog.ROW_REMAP_FAILED)).isFalse();
    assertThat(observer.unsupported).containsOnlyOnce("nvmlDeviceGetRemappedRows");
    assertThat(observer.failures).isEmpty();
    long calls = DOUBLE.nvmlDouble_calls("nvmlDeviceGetRemappedRows");
    assertThat(calls).as("not asked every tick").isEqualTo(1);

    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetRemappedRows", 0, NvmlReturn.SUCCESS);
    clock.advanceMillis(60_000);
    assertThat(tick(reader, 62_000).value(MetricCatalog.ROW_REMAP_FAILED)).isEqualTo(1.0);
  }

  /** A driver unloaded or upgraded under the exporter: NVML needs a new process, so the backend is unusable. */
  @ParameterizedTest
  @ValueSource(ints = {NvmlReturn.LIB_RM_VERSION_MISMATCH, NvmlReturn.DRIVER_NOT_LOADED, NvmlReturn.UNINITIALIZED})
  void aDriverGoneUnderTheExporterMakesTheBackendUnusable(int rc) throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetTemperature", 0, rc);
    tick(gpu(0), 1000);
    assertThat(observer.unusable).singleElement().asString()
        .startsWith("nvmlDeviceGetTemperature returned " + NvmlReturn.name(rc)).contains("new process");
  }

  @Test
  void otherFailuresLeaveTheBackendUsable() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetTemperature", 0, NvmlReturn.NO_PERMISSION);
    tick(gpu(0), 1000);
    assertThat(observer.unusable).isEmpty();
  }

  /** The thresholds are read once the driver has answered; an error on the first try is retried, not kept. */
  @Test
  void aThresholdThatFailsOnceIsAskedAgainAndEachIsSupportedOnItsOwn() throws Exception {
    DOUBLE.nvmlDouble_setUint("threshold.slowdown", 0, 0); // NOT_SUPPORTED for this board
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetTemperatureThreshold", 0, NvmlReturn.UNKNOWN);
    NvmlDeviceReader reader = gpu(0);
    Readings first = tick(reader, 1000);
    assertThat(first.has(MetricCatalog.TEMPERATURE_SHUTDOWN)).isFalse();
    assertThat(observer.failures).contains(new Failure("nvml", "nvmlDeviceGetTemperatureThreshold(SHUTDOWN)", 999,
        "NVML_ERROR_UNKNOWN"));
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetTemperatureThreshold", 0, NvmlReturn.SUCCESS);
    Readings second = tick(reader, 2000);
    assertThat(second.value(MetricCatalog.TEMPERATURE_SHUTDOWN)).isEqualTo(92.0);
    assertThat(second.has(MetricCatalog.TEMPERATURE_SLOWDOWN)).as("not supported by this board").isFalse();
  }

  @Test
  void aFailedFieldEntryIsCountedUnderItsFieldId() throws Exception {
    DOUBLE.nvmlDouble_setField(0, 82, NvmlDouble.UINT, 0, NvmlReturn.NO_PERMISSION);
    Readings r = tick(gpu(0), 1000);
    assertThat(r.has(MetricCatalog.MEMORY_TEMPERATURE)).isFalse();
    assertThat(r.has(MetricCatalog.RECOVERY_ACTION)).as("the other entries of the same call").isTrue();
    assertThat(observer.failures).containsExactly(
        new Failure("nvml", "nvmlDeviceGetFieldValues(82)", 4, "NVML_ERROR_NO_PERMISSION"));
  }

  /**
   * nvmlDeviceGetTemperature is deprecated since NVML 13.0: on a driver without it the temperature comes from the
   * versioned call, and while the old one answers the new one is never asked.
   */
  @Test
  void theTemperatureFallsBackToTheVersionedCallOnADriverWithoutTheOldOne() throws Exception {
    // One backend for both GPUs: this class's gpu() opens a new one each time.
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetTemperature", 1, NvmlReturn.FUNCTION_NOT_FOUND);
    DOUBLE.nvmlDouble_setUint("temperature", 1, 57);
    NvmlDeviceReader reader = gpu(0);
    NvmlDeviceReader without = (NvmlDeviceReader) backend.devices().get(1);
    assertThat(tick(reader, 1000).value(MetricCatalog.TEMPERATURE)).isEqualTo(31.0);
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetTemperatureV")).isZero();

    for (long t = 1000; t <= 3000; t += 1000) {
      assertThat(tick(without, t).value(MetricCatalog.TEMPERATURE)).isEqualTo(57.0);
    }
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetTemperature")).as("the missing call is not asked again")
        .isEqualTo(1 + 1);
    assertThat(observer.failures).isEmpty();
  }

  /** One clock domain the board does not report leaves the other two, current and maximum, as they were. */
  @Test
  void aClockDomainThatIsNotSupportedHidesOnlyItself() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetClockInfo(memory)", 0, NvmlReturn.NOT_SUPPORTED);
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetMaxClockInfo(graphics)", 0, NvmlReturn.NOT_SUPPORTED);
    NvmlDeviceReader reader = gpu(0);
    for (long t = 1000; t <= 3000; t += 1000) {
      Readings r = tick(reader, t);
      assertThat(r.of(MetricCatalog.CLOCK)).extracting(reading -> reading.labelValues().get(0))
          .containsExactlyInAnyOrder("sm", "graphics");
      assertThat(r.of(MetricCatalog.CLOCK_MAX)).extracting(reading -> reading.labelValues().get(0))
          .containsExactlyInAnyOrder("sm", "memory");
    }
    assertThat(DOUBLE.nvmlDouble_calls("nvmlDeviceGetClockInfo")).as("the unsupported domain is not asked again")
        .isEqualTo(3 + 2 + 2);
    assertThat(observer.failures).isEmpty();
  }

  @Test
  void aLostGpuThrowsAndRecoversOnceItAnswersAgain() throws Exception {
    NvmlDeviceReader reader = gpu(1);
    tick(reader, 1000);
    DOUBLE.nvmlDouble_setLost(1, 1);
    assertThatThrownBy(() -> tick(reader, 2000)).isInstanceOf(DeviceLostException.class)
        .hasMessageContaining("GPU 1").hasMessageContaining("NVML_ERROR_GPU_IS_LOST");
    assertThatThrownBy(() -> reader.readBackground(new Readings())).isInstanceOf(DeviceLostException.class);
    assertThat(reader.recover()).isFalse();
    assertThat(observer.failures).as("a lost GPU is not an error count").isEmpty();

    DOUBLE.nvmlDouble_setLost(1, 0);
    assertThat(reader.recover()).isTrue();
    assertThat(tick(reader, 3000).value(MetricCatalog.TEMPERATURE)).isEqualTo(31.0);
    assertThat(tick((NvmlDeviceReader) backend.devices().get(0), 3000).has(MetricCatalog.TEMPERATURE)).isTrue();
  }

  /** A GPU back from a reset may be a board with other capabilities: what it did not support is asked again. */
  @Test
  void aRecoveredGpuIsAskedAgainForWhatItDidNotSupport() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetEnforcedPowerLimit", 1, NvmlReturn.NOT_SUPPORTED);
    DOUBLE.nvmlDouble_setField(1, FieldValueReader.FI_MEMORY_TEMP, NvmlDouble.UINT, 0,
        NvmlReturn.NOT_SUPPORTED);
    NvmlDeviceReader reader = gpu(1);
    Readings before = tick(reader, 1000);
    assertThat(before.has(MetricCatalog.POWER_LIMIT)).isFalse();
    assertThat(before.has(MetricCatalog.MEMORY_TEMPERATURE)).isFalse();

    DOUBLE.nvmlDouble_setLost(1, 1);
    assertThatThrownBy(() -> tick(reader, 2000)).isInstanceOf(DeviceLostException.class);
    DOUBLE.nvmlDouble_setLost(1, 0);
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetEnforcedPowerLimit", 1, NvmlReturn.SUCCESS);
    DOUBLE.nvmlDouble_setField(1, FieldValueReader.FI_MEMORY_TEMP, NvmlDouble.UINT, 45, 0);
    assertThat(reader.recover()).isTrue();
    Readings after = tick(reader, 3000);
    assertThat(after.has(MetricCatalog.POWER_LIMIT)).isTrue();
    assertThat(after.value(MetricCatalog.MEMORY_TEMPERATURE)).isEqualTo(45.0);
  }

  /** With MIG on, whole-GPU utilization is NOT_SUPPORTED; once MIG is off again it must come back. */
  @Test
  void aMigModeChangeAsksAgainForWhatWasNotSupported() throws Exception {
    DOUBLE.nvmlDouble_setUint("mig.mode", 0, 1);
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetUtilizationRates", 0, NvmlReturn.NOT_SUPPORTED);
    NvmlDeviceReader reader = gpu(0);
    assertThat(tick(reader, 1000).has(MetricCatalog.MEMORY_UTILIZATION)).isFalse();
    assertThat(tick(reader, 2000).has(MetricCatalog.MEMORY_UTILIZATION)).isFalse();

    DOUBLE.nvmlDouble_setUint("mig.mode", 0, 0);
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetUtilizationRates", 0, NvmlReturn.SUCCESS);
    tick(reader, 3000); // sees MIG off
    assertThat(tick(reader, 4000).has(MetricCatalog.MEMORY_UTILIZATION)).isTrue();
  }

  @Test
  void lostFromAnyCallThrows() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetPcieReplayCounter", 0, NvmlReturn.GPU_IS_LOST);
    NvmlDeviceReader reader = gpu(0);
    assertThatThrownBy(() -> tick(reader, 1000)).isInstanceOf(DeviceLostException.class)
        .hasMessageContaining("nvmlDeviceGetPcieReplayCounter");
  }

  @Test
  void aGpuThatCannotBeOpenedIsLeftOutAndTheOthersWork() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetHandleByIndex_v2", 0, NvmlReturn.NO_PERMISSION);
    backend = open(observer, new FakeClock());
    assertThat(backend.devices()).extracting(d -> d.identity().index()).containsExactly(1);
    assertThat(backend.description()).endsWith(", 1 GPU (1 more left out: see the warnings above)");
    assertThat(backend.devicesLeftOut()).isEqualTo(1);
    assertThat(observer.failures).containsExactly(
        new Failure("nvml", "nvmlDeviceGetHandleByIndex_v2", 4, "NVML_ERROR_NO_PERMISSION"));
  }

  /** A GPU mid-reset while the exporter starts must not stay without series until the next restart. */
  @Test
  void aGpuLeftOutAtStartIsOpenedWhenItAnswersAndItsXidsArrive() throws Exception {
    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetHandleByIndex_v2", 0, NvmlReturn.GPU_IS_LOST);
    backend = open(observer, new FakeClock());
    assertThat(backend.reopenLeftOut()).as("still lost").isEmpty();
    assertThat(backend.devicesLeftOut()).isEqualTo(1);
    assertThat(observer.failures).as("counted once, not at every retry").containsExactly(
        new Failure("nvml", "nvmlDeviceGetHandleByIndex_v2", NvmlReturn.GPU_IS_LOST, "NVML_ERROR_GPU_IS_LOST"));

    DOUBLE.nvmlDouble_setReturn("nvmlDeviceGetHandleByIndex_v2", 0, NvmlReturn.SUCCESS);
    assertThat(backend.reopenLeftOut()).extracting(d -> d.identity().index()).containsExactly(0);
    assertThat(backend.devices()).extracting(d -> d.identity().index()).containsExactly(0, 1);
    assertThat(backend.devicesLeftOut()).isZero();
    assertThat(backend.description()).endsWith(", 2 GPUs");
    assertThat(backend.reopenLeftOut()).as("handed over once").isEmpty();

    NvmlDeviceReader late = (NvmlDeviceReader) backend.devices().get(0);
    DOUBLE.nvmlDouble_injectXid(0, 79);
    awaitTrue("XID 79 on the GPU opened late", () -> late.xids().count(79) == 1);
    assertThat(tick(late, 1000).value(MetricCatalog.XID_ERRORS, "79")).isEqualTo(1.0);
  }

  @Test
  void aMissingLibraryIsOneClearSentence() {
    Path missing = Path.of("/nonexistent/libnvidia-ml.so.1");
    BackendContext context = new BackendContext(Optional.of(missing), BackendContext.SimulatedSettings.DEFAULT,
        observer);
    assertThatThrownBy(() -> new NvmlBackendProvider().open(context))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessage("NVIDIA driver library /nonexistent/libnvidia-ml.so.1 was not found: install the NVIDIA driver"
            + " (in Kubernetes, run with the NVIDIA container toolkit), point --nvml-library at it, or use"
            + " --devices=simulated for a demo.");
  }

  @Test
  void aLibraryThatIsNotNvmlIsOneClearSentence() {
    Path notNvml = Path.of(System.getProperty("acceltel.test.native"), "..", "..", "pom.xml");
    BackendContext context = new BackendContext(Optional.of(notNvml), BackendContext.SimulatedSettings.DEFAULT,
        observer);
    assertThatThrownBy(() -> new NvmlBackendProvider().open(context))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageStartingWith("NVIDIA driver library " + notNvml + " could not be loaded (")
        .hasMessageNotContaining("\n");
  }

  @ParameterizedTest
  @ValueSource(ints = {NvmlReturn.DRIVER_NOT_LOADED, NvmlReturn.NO_PERMISSION, NvmlReturn.LIB_RM_VERSION_MISMATCH,
      NvmlReturn.UNKNOWN})
  void initFailuresAreOneClearSentence(int rc) {
    DOUBLE.nvmlDouble_setReturn("nvmlInit_v2", NvmlDouble.ANY_DEVICE, rc);
    assertThatThrownBy(() -> new NvmlBackendProvider().open(context(observer)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining(NvmlReturn.name(rc))
        .hasMessageNotContaining("\n")
        .message().endsWith(".");
    assertThat(DOUBLE.nvmlDouble_initCount()).isZero();
  }

  @Test
  void driverNotLoadedSaysWhatToDo() {
    DOUBLE.nvmlDouble_setReturn("nvmlInit_v2", NvmlDouble.ANY_DEVICE, NvmlReturn.DRIVER_NOT_LOADED);
    assertThatThrownBy(() -> new NvmlBackendProvider().open(context(observer)))
        .hasMessage("The NVIDIA kernel driver is not loaded (nvmlInit_v2 returned NVML_ERROR_DRIVER_NOT_LOADED): "
            + "check the driver with nvidia-smi and load it (modprobe nvidia), or use --devices=simulated for a demo.");
  }

  @Test
  void theProviderIsFoundByName() {
    Optional<DeviceBackendProvider> provider = DeviceBackends.discover().byName("nvml");
    assertThat(provider).get().isInstanceOf(NvmlBackendProvider.class);
  }
}
