package io.acceltel.exporter.dcmi;

import com.sun.jna.Memory;
import io.acceltel.exporter.device.DeviceLostException;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.ReadingSink;
import java.util.List;
import java.util.Locale;

/**
 * Reads one Ascend NPU through DCMI once a tick and converts every value to the catalog's unit: percent to ratios,
 * 0.1 W to watts, MB to bytes, MHz to hertz. AI Core utilization is the vendor-neutral
 * {@code accelerator_utilization_ratio}; vector, cube and overall utilization have their own metrics.
 *
 * <p>Utilization comes from the best call the driver has, as in npu-exporter: the 1-second period variant of the
 * multi-utilization call, then the plain multi-utilization call, then one {@code dcmi_get_device_utilization_rate}
 * per engine. A call that answers -8255 (or is missing from an older driver) is never tried again.
 *
 * <p>Return codes follow {@link DcmiCalls}. Buffers are allocated once per reader; {@link #read} runs on one
 * thread at a time.
 */
final class DcmiDeviceReader implements DeviceReader {
  private static final String PERIOD_UTIL = "dcmi_get_device_multi_utilization_rate_period";
  private static final String MULTI_UTIL = "dcmi_get_device_multi_utilization_rate";
  private static final String UTIL = "dcmi_get_device_utilization_rate";
  private static final String HBM = "dcmi_get_device_hbm_info";
  private static final String TEMPERATURE = "dcmi_get_device_temperature";
  private static final String POWER = "dcmi_get_device_power_info";
  private static final String FREQUENCY = "dcmi_get_device_frequency";
  private static final String HEALTH = "dcmi_get_device_health";
  /** The health level by which the driver says the device does not exist (0xFFFFFFFF, Huawei's DCMI API reference). */
  private static final int DOES_NOT_EXIST = 0xFFFF_FFFF;
  private static final String ERROR_CODES = "dcmi_get_device_errorcode_v2";
  private static final String ECC = "dcmi_get_device_ecc_info";
  private static final String NETWORK = "dcmi_get_device_network_health";
  /** enum dcmi_rdfx_detect_result: 0 OK, 6 INIT (never probed). */
  private static final int NETWORK_OK = 0;
  private static final int NETWORK_INIT = 6;
  /**
   * How long the health call may answer "not ready" before the NPU counts as lost. A card that dropped off the bus
   * answers -8012 to every call from then on (npu-exporter reads it as a card drop), while a driver that initializes
   * or resets answers it for a few seconds; without this the NPU would stay "healthy" with no readings.
   */
  static final long NOT_READY_LOST_AFTER_MILLIS = 5_000;
  private static final long READY = Long.MIN_VALUE;
  private static final double MB = 1024.0 * 1024.0;
  private static final double MHZ = 1e6;
  private static final List<String> CORRECTED_VOLATILE = List.of("corrected", "volatile");
  private static final List<String> UNCORRECTED_VOLATILE = List.of("uncorrected", "volatile");
  private static final List<String> CORRECTED_AGGREGATE = List.of("corrected", "aggregate");
  private static final List<String> UNCORRECTED_AGGREGATE = List.of("uncorrected", "aggregate");

  private final DcmiLibrary dcmi;
  private final int card;
  private final int device;
  private final DeviceIdentity identity;
  private final List<String> info;
  private final DcmiCalls calls;
  private final Memory out = new Memory(8);
  private final Memory struct = new Memory(DcmiLayout.BUFFER);
  /** The first tick of the current run of "not ready" health answers; {@link #READY} when it answered last. */
  private long notReadySinceMillis = READY;

  DcmiDeviceReader(DcmiLibrary dcmi, int card, int device, DeviceIdentity identity, List<String> info,
      NativeCallObserver observer) {
    this.dcmi = dcmi;
    this.card = card;
    this.device = device;
    this.identity = identity;
    this.info = List.copyOf(info);
    this.calls = new DcmiCalls(identity, observer);
  }

  @Override
  public DeviceIdentity identity() {
    return identity;
  }

  /** The card id and the device id within the card, as the v1 DCMI calls address this NPU. */
  int card() {
    return card;
  }

  int device() {
    return device;
  }

  @Override
  public void read(long tickMillis, ReadingSink sink) throws DeviceLostException {
    readHealth(tickMillis, sink);
    readUtilization(sink);
    readMemory(sink);
    readThermalPowerClocks(sink);
    readEcc(sink);
    if (calls.ok(NETWORK, () -> dcmi.dcmi_get_device_network_health(card, device, zeroed(out)))) {
      // 6 (INIT: no detect address configured, e.g. a 910B without hccn detect IPs) is healthy, as npu-exporter
      // counts it: only a probe that ran and failed is not.
      int result = out.getInt(0);
      sink.set(MetricCatalog.NETWORK_HEALTHY, result == NETWORK_OK || result == NETWORK_INIT ? 1 : 0);
    }
    sink.set(MetricCatalog.DEVICE_INFO, info, 1);
  }

  /** The NPU is back when it answers the health call again, with a health level. */
  @Override
  public boolean recover() {
    if (dcmi.dcmi_get_device_health(card, device, zeroed(out)) != DcmiReturn.SUCCESS
        || out.getInt(0) == DOES_NOT_EXIST) {
      return false;
    }
    calls.reset();
    notReadySinceMillis = READY;
    return true;
  }

  private void readHealth(long tickMillis, ReadingSink sink) throws DeviceLostException {
    int rc = calls.code(HEALTH, () -> dcmi.dcmi_get_device_health(card, device, zeroed(out)));
    if (rc == DcmiReturn.SUCCESS) {
      int level = out.getInt(0);
      if (level == DOES_NOT_EXIST) {
        throw new DeviceLostException("NPU " + identity.index() + " (" + identity.uuid() + ") is lost: " + HEALTH
            + " answered health 0xFFFFFFFF, the driver's \"the device does not exist\"");
      }
      sink.set(MetricCatalog.DRIVER_ALARM_LEVEL, Integer.toUnsignedLong(level));
    }
    lostIfNotReadyTooLong(tickMillis, rc == DcmiReturn.NOT_READY);
    if (calls.ok(ERROR_CODES, () -> dcmi.dcmi_get_device_errorcode_v2(card, device, zeroed(out), zeroed(struct),
        DcmiLayout.ERROR_CODE_LIST))) {
      int count = Math.min(Math.max(out.getInt(0), 0), DcmiLayout.ERROR_CODE_LIST);
      sink.set(MetricCatalog.DRIVER_ERROR_CODES, count);
      for (int i = 0; i < count; i++) {
        String code = String.format(Locale.ROOT, "0x%08X", struct.getInt(4L * i));
        sink.set(MetricCatalog.DRIVER_ERROR_CODE, code, 1);
      }
    }
  }

  private void lostIfNotReadyTooLong(long tickMillis, boolean notReady) throws DeviceLostException {
    if (!notReady) {
      notReadySinceMillis = READY;
      return;
    }
    if (notReadySinceMillis == READY || tickMillis < notReadySinceMillis) {
      // A wall clock stepped back starts the spell again: it must not wait the step out before the NPU is lost.
      notReadySinceMillis = tickMillis;
    } else if (tickMillis - notReadySinceMillis >= NOT_READY_LOST_AFTER_MILLIS) {
      long seconds = (tickMillis - notReadySinceMillis) / 1000;
      notReadySinceMillis = READY;
      throw new DeviceLostException("NPU " + identity.index() + " (" + identity.uuid() + ") is lost: " + HEALTH
          + " answered " + DcmiReturn.name(DcmiReturn.NOT_READY) + " (" + DcmiReturn.NOT_READY + ") for " + seconds
          + " s, as a card that dropped off the bus does");
    }
  }

  private void readUtilization(ReadingSink sink) throws DeviceLostException {
    boolean multi = false;
    // A failure other than "not supported" leaves the core utilizations out for this tick only (retried next
    // tick, no fallback that would mix sources); the HBM utilization below is its own call and still read.
    boolean failed = false;
    if (!calls.unsupported(PERIOD_UTIL)) {
      multi = calls.ok(PERIOD_UTIL,
          () -> dcmi.dcmi_get_device_multi_utilization_rate_period(card, device, zeroed(struct), 1));
      failed = !multi && !calls.unsupported(PERIOD_UTIL);
    }
    if (!multi && !failed && !calls.unsupported(MULTI_UTIL)) {
      multi = calls.ok(MULTI_UTIL, () -> dcmi.dcmi_get_device_multi_utilization_rate(card, device, zeroed(struct)));
      failed = !multi && !calls.unsupported(MULTI_UTIL);
    }
    if (multi) {
      setPercent(sink, MetricCatalog.UTILIZATION, struct.getInt(DcmiLayout.MULTI_AICORE));
      setPercent(sink, MetricCatalog.VECTOR_CORE_UTILIZATION, struct.getInt(DcmiLayout.MULTI_AIV));
      setPercent(sink, MetricCatalog.CUBE_CORE_UTILIZATION, struct.getInt(DcmiLayout.MULTI_AIC));
      setPercent(sink, MetricCatalog.OVERALL_UTILIZATION, struct.getInt(DcmiLayout.MULTI_NPU));
    } else if (!failed) {
      utilizationRate(DcmiLayout.UTIL_AICORE, MetricCatalog.UTILIZATION, sink);
      utilizationRate(DcmiLayout.UTIL_VECTOR, MetricCatalog.VECTOR_CORE_UTILIZATION, sink);
      utilizationRate(DcmiLayout.UTIL_OVERALL, MetricCatalog.OVERALL_UTILIZATION, sink);
    }
    utilizationRate(DcmiLayout.UTIL_HBM, MetricCatalog.MEMORY_UTILIZATION, sink);
  }

  private void utilizationRate(int type, MetricDefinition metric, ReadingSink sink) throws DeviceLostException {
    // Each type is its own "function" for the error policy: a 310P may support AI Core but not vector.
    if (calls.ok(UTIL + "(" + type + ")", () -> dcmi.dcmi_get_device_utilization_rate(card, device, type,
        zeroed(out)))) {
      setPercent(sink, metric, out.getInt(0));
    }
  }

  private void readMemory(ReadingSink sink) throws DeviceLostException {
    if (calls.ok(HBM, () -> dcmi.dcmi_get_device_hbm_info(card, device, zeroed(struct)))) {
      long size = struct.getLong(DcmiLayout.HBM_MEMORY_SIZE);
      long usage = struct.getLong(DcmiLayout.HBM_MEMORY_USAGE);
      sink.set(MetricCatalog.MEMORY_TOTAL, size * MB);
      sink.set(MetricCatalog.MEMORY_USED, usage * MB);
      sink.set(MetricCatalog.MEMORY_FREE, Math.max(0, size - usage) * MB);
      int hbmCelsius = struct.getInt(DcmiLayout.HBM_TEMP);
      if (hbmCelsius >= 0) { // negative only when the sensor could not be read
        sink.set(MetricCatalog.MEMORY_TEMPERATURE, hbmCelsius);
      }
    }
  }

  private void readThermalPowerClocks(ReadingSink sink) throws DeviceLostException {
    if (calls.ok(TEMPERATURE, () -> dcmi.dcmi_get_device_temperature(card, device, zeroed(out)))
        && out.getInt(0) != DcmiLayout.TEMPERATURE_FAILED) {
      sink.set(MetricCatalog.TEMPERATURE, out.getInt(0));
    }
    if (calls.ok(POWER, () -> dcmi.dcmi_get_device_power_info(card, device, zeroed(out))) && out.getInt(0) >= 0) {
      sink.set(MetricCatalog.POWER, out.getInt(0) / 10.0);
    }
    frequency(DcmiLayout.FREQ_AICORE_CURRENT, MetricCatalog.CLOCK, "aicore", sink);
    frequency(DcmiLayout.FREQ_HBM, MetricCatalog.CLOCK, "memory", sink);
    frequency(DcmiLayout.FREQ_AICORE_MAX, MetricCatalog.CLOCK_MAX, "aicore", sink);
  }

  private void frequency(int type, MetricDefinition metric, String clock, ReadingSink sink)
      throws DeviceLostException {
    if (calls.ok(FREQUENCY + "(" + type + ")", () -> dcmi.dcmi_get_device_frequency(card, device, type,
        zeroed(out)))) {
      int mhz = out.getInt(0);
      // 0xFFFFFFFF (negative here) is "could not read", not 4.3 PHz; npu-exporter also refuses 0x7FFFFFFF
      if (mhz >= 0 && mhz != Integer.MAX_VALUE) {
        sink.set(metric, clock, mhz * MHZ);
      }
    }
  }

  private void readEcc(ReadingSink sink) throws DeviceLostException {
    // With ECC off the counts are zeros that mean "not counted", not "no errors": left out.
    if (calls.ok(ECC, () -> dcmi.dcmi_get_device_ecc_info(card, device, DcmiLayout.ECC_DEVICE_HBM,
        zeroed(struct))) && struct.getInt(DcmiLayout.ECC_ENABLE_FLAG) != 0) {
      sink.set(MetricCatalog.ECC_ERRORS, CORRECTED_VOLATILE, unsigned(DcmiLayout.ECC_SINGLE_BIT));
      sink.set(MetricCatalog.ECC_ERRORS, UNCORRECTED_VOLATILE, unsigned(DcmiLayout.ECC_DOUBLE_BIT));
      sink.set(MetricCatalog.ECC_ERRORS, CORRECTED_AGGREGATE, unsigned(DcmiLayout.ECC_TOTAL_SINGLE_BIT));
      sink.set(MetricCatalog.ECC_ERRORS, UNCORRECTED_AGGREGATE, unsigned(DcmiLayout.ECC_TOTAL_DOUBLE_BIT));
    }
  }

  private long unsigned(int offset) {
    return struct.getInt(offset) & 0xFFFF_FFFFL;
  }

  /**
   * A utilization the driver reports in percent, as a ratio; left out when it is no percentage at all (the driver
   * fills 0xFFFFFFFF where it could not measure, which would read as 42,949,672 %), as npu-exporter leaves it out.
   */
  private static void setPercent(ReadingSink sink, MetricDefinition metric, int percent) {
    if (percent >= 0 && percent <= 100) {
      sink.set(metric, percent / 100.0);
    }
  }

  /** Clears a buffer before a call, so a value left from the previous call can never be read back. */
  private static Memory zeroed(Memory memory) {
    memory.clear();
    return memory;
  }
}
