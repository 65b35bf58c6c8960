package io.acceltel.exporter.dcmi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Native;
import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.Reading;
import io.acceltel.model.snapshot.Vendor;
import io.acceltel.model.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DCMI backend against the C test double of libdcmi.so: enumeration, units, and the error-code policy. */
class DcmiBackendTest {
  private static final DcmiDouble DCMI = DcmiDouble.INSTANCE;
  private static final long TICK = 1_795_349_100_000L;
  private final Observer observer = new Observer();

  /** What the backend told its observer. */
  static final class Observer implements NativeCallObserver {
    final List<String> unsupported = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();

    @Override
    public void unsupported(DeviceIdentity device, String function) {
      unsupported.add(function);
    }

    @Override
    public void failed(String backend, String function, int code, String codeName) {
      failures.add(backend + " " + function + " " + code + " " + codeName);
    }
  }

  @BeforeEach
  void reset() {
    DCMI.dcmiDouble_reset(4, 1);
  }

  static DcmiBackend open(NativeCallObserver observer) throws BackendUnavailableException {
    return DcmiBackend.open(new BackendContext(Optional.of(DcmiDouble.PATH), BackendContext.SimulatedSettings.DEFAULT,
        observer));
  }

  static List<Reading> read(DeviceReader reader) throws DeviceLostException {
    return read(reader, TICK);
  }

  static List<Reading> read(DeviceReader reader, long tickMillis) throws DeviceLostException {
    List<Reading> out = new ArrayList<>();
    reader.read(tickMillis, out::add);
    return out;
  }

  static OptionalDouble value(List<Reading> readings, MetricDefinition metric, String... labels) {
    return readings.stream().filter(r -> r.metric() == metric && r.labelValues().equals(List.of(labels)))
        .mapToDouble(Reading::value).findFirst();
  }

  @Test
  void enumeratesCardsThenDevicesAndIdentifiesEachNpuByItsPhysicalId() throws Exception {
    DCMI.dcmiDouble_reset(2, 2);
    for (int logic = 0; logic < 4; logic++) {
      DCMI.dcmiDouble_setInt("phy_id", logic, 7 - logic);
    }
    try (DcmiBackend backend = open(observer)) {
      assertThat(backend.name()).isEqualTo("dcmi");
      assertThat(backend.description()).isEqualTo("Huawei Ascend DCMI 24.1.rc2, 4 NPUs");
      List<DeviceIdentity> ids = backend.devices().stream().map(DeviceReader::identity).toList();
      assertThat(ids).extracting(DeviceIdentity::index).containsExactly(4, 5, 6, 7);
      assertThat(ids).extracting(DeviceIdentity::vendor).containsOnly(Vendor.HUAWEI);
      assertThat(ids).extracting(DeviceIdentity::model).containsOnly("Ascend910B3");
      assertThat(ids.get(0).uuid()).matches("([0-9A-F]{8}-){4}[0-9A-F]{8}");
      assertThat(ids).extracting(DeviceIdentity::uuid).doesNotHaveDuplicates();
      // Physical id 4 is logic id 3: card 1, device 1.
      DcmiDeviceReader phy4 = (DcmiDeviceReader) backend.devices().get(0);
      assertThat(phy4.card()).isEqualTo(1);
      assertThat(phy4.device()).isEqualTo(1);
    }
    assertThat(DCMI.dcmiDouble_initCount()).isEqualTo(1);
  }

  @Test
  void convertsDcmiUnitsToTheCatalogs() throws Exception {
    DCMI.dcmiDouble_setInt("power", 0, 2345);        // 0.1 W
    DCMI.dcmiDouble_setInt("temperature", 0, 61);
    DCMI.dcmiDouble_setInt("hbm.size", 0, 65536);    // MB
    DCMI.dcmiDouble_setInt("hbm.usage", 0, 40000);
    DCMI.dcmiDouble_setInt("hbm.temp", 0, 52);
    DCMI.dcmiDouble_setInt("freq.aicore", 0, 1650);  // MHz
    DCMI.dcmiDouble_setInt("freq.hbm", 0, 1600);
    DCMI.dcmiDouble_setInt("multi.aicore", 0, 87);   // %
    DCMI.dcmiDouble_setInt("multi.aiv", 0, 12);
    DCMI.dcmiDouble_setInt("multi.aic", 0, 80);
    DCMI.dcmiDouble_setInt("multi.npu", 0, 90);
    DCMI.dcmiDouble_setInt("util.hbm", 0, 45);
    DCMI.dcmiDouble_setInt("ecc.dbe", 0, 2);
    DCMI.dcmiDouble_setInt("ecc.total_sbe", 0, 17);
    DCMI.dcmiDouble_setInt("pcie.bus", 0, 0x61);
    try (DcmiBackend backend = open(observer)) {
      List<Reading> r = read(backend.devices().get(0));
      assertThat(value(r, MetricCatalog.POWER)).hasValue(234.5);
      assertThat(value(r, MetricCatalog.TEMPERATURE)).hasValue(61);
      assertThat(value(r, MetricCatalog.MEMORY_TOTAL)).hasValue(65536.0 * 1024 * 1024);
      assertThat(value(r, MetricCatalog.MEMORY_USED)).hasValue(40000.0 * 1024 * 1024);
      assertThat(value(r, MetricCatalog.MEMORY_FREE)).hasValue(25536.0 * 1024 * 1024);
      assertThat(value(r, MetricCatalog.MEMORY_TEMPERATURE)).hasValue(52);
      assertThat(value(r, MetricCatalog.CLOCK, "aicore")).hasValue(1650e6);
      assertThat(value(r, MetricCatalog.CLOCK, "memory")).hasValue(1600e6);
      assertThat(value(r, MetricCatalog.CLOCK_MAX, "aicore")).hasValue(1800e6);
      assertThat(value(r, MetricCatalog.UTILIZATION)).hasValue(0.87);
      assertThat(value(r, MetricCatalog.VECTOR_CORE_UTILIZATION)).hasValue(0.12);
      assertThat(value(r, MetricCatalog.CUBE_CORE_UTILIZATION)).hasValue(0.80);
      assertThat(value(r, MetricCatalog.OVERALL_UTILIZATION)).hasValue(0.90);
      assertThat(value(r, MetricCatalog.MEMORY_UTILIZATION)).hasValue(0.45);
      assertThat(value(r, MetricCatalog.ECC_ERRORS, "uncorrected", "volatile")).hasValue(2);
      assertThat(value(r, MetricCatalog.ECC_ERRORS, "corrected", "aggregate")).hasValue(17);
      assertThat(value(r, MetricCatalog.DRIVER_ALARM_LEVEL)).hasValue(0);
      assertThat(value(r, MetricCatalog.DRIVER_ERROR_CODES)).hasValue(0);
      assertThat(value(r, MetricCatalog.NETWORK_HEALTHY)).hasValue(1);
      assertThat(value(r, MetricCatalog.DEVICE_INFO, "", "24.1.rc2", "", "0000:61:00.0", "")).hasValue(1);
    }
    assertThat(observer.failures).isEmpty();
    assertThat(observer.unsupported).isEmpty();
  }

  @Test
  void reportsHealthAlarmsAndErrorCodes() throws Exception {
    DCMI.dcmiDouble_setInt("health", 1, 2);
    DCMI.dcmiDouble_setErrorCodes(1, 2, 0x80E01801, 0x80CB8009, 0);
    DCMI.dcmiDouble_setInt("network", 1, 1);
    try (DcmiBackend backend = open(observer)) {
      List<Reading> r = read(backend.devices().get(1));
      assertThat(value(r, MetricCatalog.DRIVER_ALARM_LEVEL)).hasValue(2);
      assertThat(value(r, MetricCatalog.DRIVER_ERROR_CODES)).hasValue(2);
      assertThat(value(r, MetricCatalog.DRIVER_ERROR_CODE, "0x80E01801")).hasValue(1);
      assertThat(value(r, MetricCatalog.DRIVER_ERROR_CODE, "0x80CB8009")).hasValue(1);
      assertThat(value(r, MetricCatalog.NETWORK_HEALTHY)).hasValue(0);
    }
  }

  @Test
  void notSupportedLeavesTheMetricOutForGoodAndIsToldOnce() throws Exception {
    DCMI.dcmiDouble_setReturn("dcmi_get_device_hbm_info", DcmiDouble.ANY, DcmiReturn.NOT_SUPPORTED, DcmiDouble.ALWAYS);
    try (DcmiBackend backend = open(observer)) {
      DeviceReader npu = backend.devices().get(0);
      List<Reading> first = read(npu);
      List<Reading> second = read(npu);
      assertThat(value(first, MetricCatalog.MEMORY_USED)).isEmpty();
      assertThat(value(second, MetricCatalog.MEMORY_USED)).isEmpty();
      assertThat(value(second, MetricCatalog.POWER)).isPresent();
    }
    assertThat(observer.unsupported).containsExactly("dcmi_get_device_hbm_info");
    assertThat(DCMI.dcmiDouble_calls("dcmi_get_device_hbm_info")).isEqualTo(1);
    assertThat(observer.failures).isEmpty();
  }

  @Test
  void notReadyIsCountedAndRetriedAtTheNextTick() throws Exception {
    DCMI.dcmiDouble_setReturn("dcmi_get_device_power_info", 0, DcmiReturn.NOT_READY, 1);
    try (DcmiBackend backend = open(observer)) {
      DeviceReader npu = backend.devices().get(0);
      assertThat(value(read(npu), MetricCatalog.POWER)).isEmpty();
      assertThat(value(read(npu), MetricCatalog.POWER)).hasValue(90.5);
    }
    assertThat(observer.failures).containsExactly("dcmi dcmi_get_device_power_info -8012 DCMI_ERR_NOT_READY");
    assertThat(observer.unsupported).isEmpty();
  }

  @Test
  void otherCodesAreCountedByFunctionAndCode() throws Exception {
    DCMI.dcmiDouble_setReturn("dcmi_get_device_temperature", 0, -8005, DcmiDouble.ALWAYS);
    try (DcmiBackend backend = open(observer)) {
      DeviceReader npu = backend.devices().get(0);
      assertThat(value(read(npu), MetricCatalog.TEMPERATURE)).isEmpty();
      assertThat(value(read(npu), MetricCatalog.TEMPERATURE)).isEmpty();
    }
    assertThat(observer.failures).containsExactly("dcmi dcmi_get_device_temperature -8005 DCMI_ERR_INTERNAL",
        "dcmi dcmi_get_device_temperature -8005 DCMI_ERR_INTERNAL");
  }

  @Test
  void theTemperatureSentinelIsNotAReading() throws Exception {
    DCMI.dcmiDouble_setInt("temperature", 0, -275);
    try (DcmiBackend backend = open(observer)) {
      assertThat(value(read(backend.devices().get(0)), MetricCatalog.TEMPERATURE)).isEmpty();
    }
  }

  /**
   * The NPUs are named once, at start: a driver that is not ready yet is asked again, and a transient failure of
   * the VDie id must not name the NPU by its NDie id (same form, another value) until the next restart.
   */
  @Test
  void enumerationWaitsForADriverThatIsNotReadyInsteadOfMisnamingTheNpu() throws Exception {
    String vdie;
    try (DcmiBackend backend = open(observer)) {
      vdie = backend.devices().get(0).identity().uuid();
    }
    DCMI.dcmiDouble_setReturn("dcmi_get_device_die_v2", 0, DcmiReturn.NOT_READY, 1);
    DCMI.dcmiDouble_setReturn("dcmi_get_device_logic_id", DcmiDouble.ANY, DcmiReturn.NOT_READY, 1);
    try (DcmiBackend backend = open(observer)) {
      assertThat(backend.devices()).as("no NPU left out").hasSize(4);
      assertThat(backend.devices().get(0).identity().uuid()).isEqualTo(vdie);
    }
  }

  /** What the driver fills where it could not measure is no reading: left out, as npu-exporter leaves it out. */
  @Test
  void driverSentinelValuesAreNotReadings() throws Exception {
    DCMI.dcmiDouble_setInt("multi.aicore", 0, 0xFFFF_FFFFL);
    DCMI.dcmiDouble_setInt("util.hbm", 0, 0xFFFF_FFFFL);
    DCMI.dcmiDouble_setInt("power", 0, -1);
    DCMI.dcmiDouble_setInt("hbm.temp", 0, -1);
    DCMI.dcmiDouble_setInt("freq.aicore", 0, 0xFFFF_FFFFL);
    DCMI.dcmiDouble_setReturn("dcmi_get_card_list", DcmiDouble.ANY, DcmiReturn.NOT_READY, 1); // asked again
    try (DcmiBackend backend = open(observer)) {
      List<Reading> r = read(backend.devices().get(0));
      assertThat(value(r, MetricCatalog.UTILIZATION)).isEmpty();
      assertThat(value(r, MetricCatalog.MEMORY_UTILIZATION)).isEmpty();
      assertThat(value(r, MetricCatalog.POWER)).isEmpty();
      assertThat(value(r, MetricCatalog.MEMORY_TEMPERATURE)).isEmpty();
      assertThat(value(r, MetricCatalog.CLOCK, "aicore")).isEmpty();
      assertThat(value(r, MetricCatalog.CLOCK, "memory")).isPresent();
      assertThat(value(r, MetricCatalog.CUBE_CORE_UTILIZATION)).as("the readable ones stay").isPresent();
      assertThat(value(r, MetricCatalog.MEMORY_USED)).isPresent();
    }
  }

  /** -8013, not allowed in a container, is as permanent as not supported: told once, never counted as a failure. */
  @Test
  void notSupportedInAContainerIsLeftOutForGood() throws Exception {
    DCMI.dcmiDouble_setReturn("dcmi_get_device_power_info", DcmiDouble.ANY, DcmiReturn.NOT_SUPPORTED_IN_CONTAINER,
        DcmiDouble.ALWAYS);
    try (DcmiBackend backend = open(observer)) {
      DeviceReader npu = backend.devices().get(0);
      assertThat(value(read(npu), MetricCatalog.POWER)).isEmpty();
      assertThat(value(read(npu), MetricCatalog.POWER)).isEmpty();
    }
    assertThat(observer.unsupported).containsExactly("dcmi_get_device_power_info");
    assertThat(observer.failures).isEmpty();
    assertThat(DCMI.dcmiDouble_calls("dcmi_get_device_power_info")).isEqualTo(1);
  }

  @Test
  void fallsBackFromThePeriodUtilizationCallToThePlainOnes() throws Exception {
    DCMI.dcmiDouble_setReturn("dcmi_get_device_multi_utilization_rate_period", DcmiDouble.ANY,
        DcmiReturn.NOT_SUPPORTED, DcmiDouble.ALWAYS);
    DCMI.dcmiDouble_setReturn("dcmi_get_device_multi_utilization_rate", DcmiDouble.ANY, DcmiReturn.NOT_SUPPORTED,
        DcmiDouble.ALWAYS);
    DCMI.dcmiDouble_setInt("util.aicore", 0, 33);
    DCMI.dcmiDouble_setInt("util.vector", 0, 5);
    try (DcmiBackend backend = open(observer)) {
      DeviceReader npu = backend.devices().get(0);
      read(npu);
      List<Reading> r = read(npu);
      assertThat(value(r, MetricCatalog.UTILIZATION)).hasValue(0.33);
      assertThat(value(r, MetricCatalog.VECTOR_CORE_UTILIZATION)).hasValue(0.05);
      assertThat(value(r, MetricCatalog.CUBE_CORE_UTILIZATION)).as("only the multi calls have AI Cube").isEmpty();
    }
    assertThat(DCMI.dcmiDouble_calls("dcmi_get_device_multi_utilization_rate_period")).isEqualTo(1);
    assertThat(DCMI.dcmiDouble_calls("dcmi_get_device_multi_utilization_rate")).isEqualTo(1);
  }

  @Test
  void aDeviceThatNoLongerExistsIsLostUntilItAnswersAgain() throws Exception {
    try (DcmiBackend backend = open(observer)) {
      DeviceReader npu = backend.devices().get(2);
      DCMI.dcmiDouble_setLost(2, 1);
      assertThatThrownBy(() -> read(npu)).isInstanceOf(DeviceLostException.class)
          .hasMessageContaining("NPU 2").hasMessageContaining("DCMI_ERR_DEVICE_NOT_EXIST");
      assertThat(npu.recover()).isFalse();
      DCMI.dcmiDouble_setLost(2, 0);
      assertThat(npu.recover()).isTrue();
      assertThat(value(read(npu), MetricCatalog.POWER)).hasValue(90.5);
    }
  }

  /** Health 0xFFFFFFFF is no alarm level: by Huawei's DCMI reference, the device does not exist. */
  @Test
  void anNpuWhoseHealthSaysItDoesNotExistIsLostUntilItReportsALevelAgain() throws Exception {
    try (DcmiBackend backend = open(observer)) {
      DeviceReader npu = backend.devices().get(0);
      DCMI.dcmiDouble_setInt("health", 0, 0xFFFF_FFFFL);
      assertThatThrownBy(() -> read(npu)).isInstanceOf(DeviceLostException.class)
          .hasMessageContaining("NPU 0").hasMessageContaining("health 0xFFFFFFFF")
          .hasMessageContaining("does not exist");
      assertThat(npu.recover()).isFalse();
      DCMI.dcmiDouble_setInt("health", 0, 0);
      assertThat(npu.recover()).isTrue();
      assertThat(value(read(npu), MetricCatalog.DRIVER_ALARM_LEVEL)).hasValue(0);
    }
  }

  /**
   * A card that dropped off the bus answers "not ready" to every call (npu-exporter reads -8012 from the health call
   * as a card drop): after a few seconds of it the NPU is lost, so health stops calling it healthy.
   */
  @Test
  void anNpuWhoseHealthStaysNotReadyIsLostUntilItAnswersAgain() throws Exception {
    try (DcmiBackend backend = open(observer)) {
      DeviceReader npu = backend.devices().get(1);
      // Six reads, one second apart, and the first recovery attempt answer "not ready"; then the card is back.
      DCMI.dcmiDouble_setReturn("dcmi_get_device_health", 1, DcmiReturn.NOT_READY, 7);
      for (int s = 0; s < 5; s++) {
        assertThat(value(read(npu, TICK + s * 1000L), MetricCatalog.DRIVER_ALARM_LEVEL)).isEmpty();
      }
      assertThatThrownBy(() -> read(npu, TICK + 5000L))
          .isInstanceOf(DeviceLostException.class).hasMessageContaining("NPU 1")
          .hasMessageContaining("DCMI_ERR_NOT_READY (-8012) for 5 s");
      assertThat(npu.recover()).isFalse();
      assertThat(npu.recover()).isTrue();
      assertThat(value(read(npu), MetricCatalog.DRIVER_ALARM_LEVEL)).hasValue(0);
    }
  }

  /** A wall clock stepped back during the spell starts it again, rather than make the NPU wait the step out. */
  @Test
  void aClockSteppedBackDuringNotReadyStartsTheSpellAgain() throws Exception {
    try (DcmiBackend backend = open(observer)) {
      DeviceReader npu = backend.devices().get(1);
      DCMI.dcmiDouble_setReturn("dcmi_get_device_health", 1, DcmiReturn.NOT_READY, 9);
      read(npu, TICK);
      read(npu, TICK + 1000L);
      long back = TICK - 3_600_000L;
      for (int s = 0; s < 5; s++) {
        read(npu, back + s * 1000L);
      }
      assertThatThrownBy(() -> read(npu, back + 5000L)).isInstanceOf(DeviceLostException.class)
          .hasMessageContaining("for 5 s");
    }
  }

  /** A driver that resets answers "not ready" for a while, then again: the NPU is not lost for a short spell. */
  @Test
  void aShortSpellOfNotReadyIsNoLoss() throws Exception {
    try (DcmiBackend backend = open(observer)) {
      DeviceReader npu = backend.devices().get(1);
      DCMI.dcmiDouble_setReturn("dcmi_get_device_health", 1, DcmiReturn.NOT_READY, 4);
      for (int s = 0; s < 8; s++) {
        read(npu, TICK + s * 1000L);
      }
      DCMI.dcmiDouble_setReturn("dcmi_get_device_health", 1, DcmiReturn.NOT_READY, 4);
      for (int s = 8; s < 16; s++) {
        read(npu, TICK + s * 1000L);
      }
    }
    assertThat(observer.failures).hasSize(8).allMatch(f -> f.contains("DCMI_ERR_NOT_READY"));
  }

  @Test
  void aMissingLibraryIsOneSentenceWithTheFix() {
    Path missing = Path.of("/nonexistent/libdcmi.so");
    assertThatThrownBy(() -> DcmiBackend.open(new BackendContext(Optional.of(missing),
        BackendContext.SimulatedSettings.DEFAULT, observer)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessage("Huawei DCMI library /nonexistent/libdcmi.so was not found: install the Ascend NPU driver "
            + "(npu-smi info should list the NPUs), mount /usr/local/Ascend/driver and /usr/local/dcmi into the "
            + "container, point --dcmi-library at libdcmi.so, or use --devices=simulated for a demo.");
  }

  /** A library that is there but does not load: the usual cause in a container is the search path, so say that. */
  @Test
  void aLibraryThatDoesNotLoadNamesTheSearchPath(@TempDir Path dir) throws Exception {
    Path broken = Files.writeString(dir.resolve("libdcmi.so"), "not an ELF file");
    assertThatThrownBy(() -> DcmiBackend.open(new BackendContext(Optional.of(broken),
        BackendContext.SimulatedSettings.DEFAULT, observer)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageStartingWith("Huawei DCMI library " + broken + " could not be loaded (")
        .hasMessageContaining("on LD_LIBRARY_PATH (/usr/local/Ascend/driver/lib64/driver:")
        .hasMessageNotContaining("\n");
  }

  @Test
  void initFailuresSayWhatToDo() {
    DCMI.dcmiDouble_setReturn("dcmi_init", DcmiDouble.ANY, DcmiReturn.NOT_READY, 1);
    assertThatThrownBy(() -> open(observer)).isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("not ready").hasMessageContaining("-8012").hasMessageContaining("npu-smi info");
  }

  @Test
  void structLayoutsMatchTheCCompilers() {
    assertThat(DCMI.dcmiDouble_sizeof("dcmi_hbm_info")).isEqualTo(DcmiLayout.HBM_INFO_SIZE);
    assertThat(DCMI.dcmiDouble_offsetof("dcmi_hbm_info", "memory_usage")).isEqualTo(DcmiLayout.HBM_MEMORY_USAGE);
    assertThat(DCMI.dcmiDouble_offsetof("dcmi_hbm_info", "temp")).isEqualTo(DcmiLayout.HBM_TEMP);
    assertThat(DCMI.dcmiDouble_sizeof("dcmi_chip_info_v2")).isEqualTo(DcmiLayout.CHIP_INFO_V2_SIZE);
    assertThat(DCMI.dcmiDouble_offsetof("dcmi_chip_info_v2", "chip_name")).isEqualTo(DcmiLayout.CHIP_NAME);
    assertThat(DCMI.dcmiDouble_sizeof("dcmi_pcie_info_all")).isEqualTo(DcmiLayout.PCIE_INFO_SIZE);
    assertThat(DCMI.dcmiDouble_offsetof("dcmi_pcie_info_all", "domain")).isEqualTo(DcmiLayout.PCIE_DOMAIN);
    assertThat(DCMI.dcmiDouble_offsetof("dcmi_pcie_info_all", "bdf_busid")).isEqualTo(DcmiLayout.PCIE_BUS);
    assertThat(DCMI.dcmiDouble_offsetof("dcmi_pcie_info_all", "bdf_deviceid")).isEqualTo(DcmiLayout.PCIE_DEVICE);
    assertThat(DCMI.dcmiDouble_offsetof("dcmi_pcie_info_all", "bdf_funcid")).isEqualTo(DcmiLayout.PCIE_FUNCTION);
    assertThat(DCMI.dcmiDouble_sizeof("dcmi_die_id")).isEqualTo(DcmiLayout.DIE_ID_SIZE);
    assertThat(DCMI.dcmiDouble_sizeof("dcmi_multi_utilization_info")).isEqualTo(DcmiLayout.MULTI_UTIL_SIZE);
    assertThat(DCMI.dcmiDouble_offsetof("dcmi_multi_utilization_info", "aicore_util"))
        .isEqualTo(DcmiLayout.MULTI_AICORE);
    assertThat(DCMI.dcmiDouble_offsetof("dcmi_multi_utilization_info", "npu_util")).isEqualTo(DcmiLayout.MULTI_NPU);
    assertThat(DCMI.dcmiDouble_sizeof("dcmi_ecc_info")).isEqualTo(DcmiLayout.ECC_INFO_SIZE);
    assertThat(DCMI.dcmiDouble_offsetof("dcmi_ecc_info", "double_bit_error_cnt")).isEqualTo(DcmiLayout.ECC_DOUBLE_BIT);
    assertThat(DCMI.dcmiDouble_offsetof("dcmi_ecc_info", "total_double_bit_error_cnt"))
        .isEqualTo(DcmiLayout.ECC_TOTAL_DOUBLE_BIT);
  }

  /** 6 (INIT) means no detect address was configured, not a failed probe: healthy, as npu-exporter counts it. */
  @Test
  void aNetworkNeverProbedIsHealthyAndAFailedProbeIsNot() throws Exception {
    DCMI.dcmiDouble_setInt("network", 0, 6);
    DCMI.dcmiDouble_setInt("network", 1, 5);
    try (DcmiBackend backend = open(observer)) {
      assertThat(value(read(backend.devices().get(0)), MetricCatalog.NETWORK_HEALTHY)).hasValue(1);
      assertThat(value(read(backend.devices().get(1)), MetricCatalog.NETWORK_HEALTHY)).hasValue(0);
    }
  }

  @Test
  void withEccOffTheZeroCountsAreNotReported() throws Exception {
    DCMI.dcmiDouble_setInt("ecc.enable", 0, 0);
    try (DcmiBackend backend = open(observer)) {
      assertThat(read(backend.devices().get(0))).noneMatch(r -> r.metric() == MetricCatalog.ECC_ERRORS);
      assertThat(value(read(backend.devices().get(1)), MetricCatalog.ECC_ERRORS, "corrected", "volatile"))
          .hasValue(0);
    }
  }

  /** A tick whose core utilization call fails still has the HBM utilization, which is a call of its own. */
  @Test
  void aFailingCoreUtilizationCallLeavesOnlyItsOwnMetricsOut() throws Exception {
    DCMI.dcmiDouble_setInt("util.hbm", 0, 45);
    DCMI.dcmiDouble_setReturn("dcmi_get_device_multi_utilization_rate_period", 0, DcmiReturn.NOT_READY, 1);
    try (DcmiBackend backend = open(observer)) {
      List<Reading> r = read(backend.devices().get(0));
      assertThat(value(r, MetricCatalog.UTILIZATION)).isEmpty();
      assertThat(value(r, MetricCatalog.MEMORY_UTILIZATION)).hasValue(0.45);
      assertThat(value(read(backend.devices().get(0)), MetricCatalog.UTILIZATION)).as("retried").isPresent();
    }
  }

  /**
   * Without its physical id an NPU cannot be joined to its pod; a guess could name another tenant's. It is left out,
   * and opened once the id can be read.
   */
  @Test
  void anNpuWhosePhysicalIdCannotBeReadIsLeftOutNotGuessedUntilItCanBe() throws Exception {
    DCMI.dcmiDouble_setReturn("dcmi_get_device_phyid_from_logicid", 2, -8005, 2);
    try (DcmiBackend backend = open(observer)) {
      assertThat(backend.devices()).extracting(d -> d.identity().index()).containsExactly(0, 1, 3);
      assertThat(backend.devicesLeftOut()).isEqualTo(1);
      assertThat(backend.reopenLeftOut()).as("the second failure").isEmpty();
      assertThat(backend.devicesLeftOut()).isEqualTo(1);

      assertThat(backend.reopenLeftOut()).extracting(d -> d.identity().index()).containsExactly(2);
      assertThat(backend.devices()).extracting(d -> d.identity().index()).containsExactly(0, 1, 2, 3);
      assertThat(backend.devicesLeftOut()).isZero();
      assertThat(value(read(backend.devices().get(2)), MetricCatalog.UTILIZATION)).isPresent();
    }
  }

  /**
   * The die id and the model label every series of an NPU: one that fails for a passing reason leaves the NPU out,
   * to be opened under its real name later, rather than named "ascend-phy-N" or "Ascend NPU" until the next restart.
   */
  @Test
  void anNpuWhoseNameCannotBeReadIsLeftOutUntilItCanBe() throws Exception {
    String vdie;
    String model;
    try (DcmiBackend backend = open(observer)) {
      vdie = backend.devices().get(1).identity().uuid();
      model = backend.devices().get(1).identity().model();
    }
    DCMI.dcmiDouble_setReturn("dcmi_get_device_die_v2", 1, -8005, 1);
    DCMI.dcmiDouble_setReturn("dcmi_get_device_chip_info_v2", 3, -8009, 1);
    try (DcmiBackend backend = open(observer)) {
      assertThat(backend.devices()).extracting(d -> d.identity().index()).containsExactly(0, 2);
      assertThat(observer.failures).containsExactlyInAnyOrder("dcmi dcmi_get_device_die_v2 -8005 DCMI_ERR_INTERNAL",
          "dcmi dcmi_get_device_chip_info_v2 -8009 DCMI_ERR_IOCTL");
      List<DeviceReader> reopened = backend.reopenLeftOut();
      assertThat(reopened).extracting(d -> d.identity().index()).containsExactly(1, 3);
      assertThat(reopened.get(0).identity().uuid()).isEqualTo(vdie);
      assertThat(reopened.get(0).identity().model()).isEqualTo(model);
      assertThat(reopened.get(1).identity().model()).isEqualTo(model);
    }
  }

  /** -8013 (not allowed in a container) is as permanent as -8255: the stand-in names, not an NPU left out for good. */
  @Test
  void aNameNotAllowedInAContainerGetsTheStandIn() throws Exception {
    DCMI.dcmiDouble_setReturn("dcmi_get_device_die_v2", 1, DcmiReturn.NOT_SUPPORTED_IN_CONTAINER, DcmiDouble.ALWAYS);
    DCMI.dcmiDouble_setReturn("dcmi_get_device_chip_info_v2", 1, DcmiReturn.NOT_SUPPORTED_IN_CONTAINER,
        DcmiDouble.ALWAYS);
    DCMI.dcmiDouble_setReturn("dcmi_get_device_chip_info", 1, DcmiReturn.NOT_SUPPORTED_IN_CONTAINER,
        DcmiDouble.ALWAYS);
    try (DcmiBackend backend = open(observer)) {
      assertThat(backend.devices()).hasSize(4);
      assertThat(backend.devices().get(1).identity().uuid()).isEqualTo("ascend-phy-1");
      assertThat(backend.devices().get(1).identity().model()).isEqualTo("Ascend NPU");
    }
  }

  /**
   * A card whose NPUs cannot be counted is left out whole, and counted, so that the node's health says so; its NPUs
   * join once they can be counted.
   */
  @Test
  void aCardWhoseNpusCannotBeCountedIsLeftOutUntilTheyCanBe() throws Exception {
    DCMI.dcmiDouble_setReturn("dcmi_get_device_num_in_card", -1, -8005, 1);
    try (DcmiBackend backend = open(observer)) {
      assertThat(backend.devices()).extracting(d -> d.identity().index()).containsExactly(1, 2, 3);
      assertThat(backend.devicesLeftOut()).isEqualTo(1);
      assertThat(backend.description()).contains("left out");

      assertThat(backend.reopenLeftOut()).extracting(d -> d.identity().index()).containsExactly(0);
      assertThat(backend.devices()).extracting(d -> d.identity().index()).containsExactly(0, 1, 2, 3);
      assertThat(backend.devicesLeftOut()).isZero();
      assertThat(backend.description()).doesNotContain("left out");
      assertThat(backend.reopenLeftOut()).as("handed over once").isEmpty();
    }
  }

  /**
   * A card counted only on a retry: its NPUs are tried for the first time then, so one that fails is warned about
   * and counted (not taken for a repeat), and opens on a later retry; a repeated failure is not counted again.
   */
  @Test
  void theNpusOfACardCountedLateAreToldAboutAsNew() throws Exception {
    DCMI.dcmiDouble_reset(1, 2);
    DCMI.dcmiDouble_setReturn("dcmi_get_device_num_in_card", -1, -8005, 1);
    DCMI.dcmiDouble_setReturn("dcmi_get_device_phyid_from_logicid", 1, -8005, 2);
    try (DcmiBackend backend = open(observer); LogCapture log = LogCapture.of(DcmiBackend.class)) {
      assertThat(backend.devices()).isEmpty();
      assertThat(backend.devicesLeftOut()).isEqualTo(1);

      assertThat(backend.reopenLeftOut()).extracting(d -> d.identity().index()).containsExactly(0);
      assertThat(backend.devicesLeftOut()).isEqualTo(1);
      assertThat(observer.failures).containsExactly("dcmi dcmi_get_device_phyid_from_logicid -8005 DCMI_ERR_INTERNAL");
      assertThat(log.records()).filteredOn(r -> r.getLevel() == Level.WARNING).singleElement()
          .satisfies(r -> assertThat(r.getMessage()).contains("NPU 1 of card 0"));

      assertThat(backend.reopenLeftOut()).as("the second failure").isEmpty();
      assertThat(observer.failures).as("a repeat is not counted").hasSize(1);
      assertThat(backend.reopenLeftOut()).extracting(d -> d.identity().index()).containsExactly(1);
      assertThat(backend.devicesLeftOut()).isZero();
      assertThat(log.messages()).filteredOn(m -> m.contains("left out until now")).hasSize(2);
    }
  }

  /** Right after a reboot the driver may not be ready yet: the physical id is asked for again, not given up on. */
  @Test
  void aPhysicalIdNotReadyAtFirstIsAskedForAgain() throws Exception {
    DCMI.dcmiDouble_setInt("phy_id", 2, 6);
    DCMI.dcmiDouble_setReturn("dcmi_get_device_phyid_from_logicid", 2, DcmiReturn.NOT_READY, 1);
    try (DcmiBackend backend = open(observer)) {
      assertThat(backend.devices()).extracting(d -> d.identity().index()).containsExactly(0, 1, 3, 6);
      assertThat(backend.devicesLeftOut()).isZero();
    }
  }

  /**
   * An older driver (the double built without the v2 calls): the older forms stand in, and a missing function
   * leaves out only what it would have read, instead of stopping the start.
   */
  @Test
  void anOlderDriverWithoutTheV2CallsStillStartsAndReads() throws Exception {
    Path old = DcmiDouble.PATH.resolveSibling("libdcmi_double_old.so");
    DcmiDouble oldDouble = Native.load(old.toString(), DcmiDouble.class);
    oldDouble.dcmiDouble_reset(2, 1);
    oldDouble.dcmiDouble_setInt("multi.aicore", 1, 70);
    try (DcmiBackend backend = DcmiBackend.open(new BackendContext(Optional.of(old),
        BackendContext.SimulatedSettings.DEFAULT, observer))) {
      assertThat(backend.devices()).hasSize(2);
      DeviceReader npu = backend.devices().get(1);
      assertThat(npu.identity().model()).as("from dcmi_get_device_chip_info").isEqualTo("Ascend910B3");
      assertThat(npu.identity().uuid()).as("no die id without dcmi_get_device_die_v2").isEqualTo("ascend-phy-1");
      read(npu);
      List<Reading> r = read(npu);
      assertThat(value(r, MetricCatalog.UTILIZATION)).hasValue(0.70);
      assertThat(value(r, MetricCatalog.POWER)).hasValue(90.5);
    }
    assertThat(oldDouble.dcmiDouble_calls("dcmi_get_card_num_list")).isEqualTo(1);
    assertThat(observer.unsupported).containsOnlyOnce("dcmi_get_device_multi_utilization_rate_period");
  }
}
