package io.acceltel.exporter.nvml;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/**
 * NVML structs with the exact C layouts of nvml.h (LP64: x86_64 and aarch64). JNA's default alignment reproduces
 * the C padding, and the tests compare {@link Structure#size()} and field offsets against the C compiler's.
 *
 * <p>Structs that every tick reads (utilization, memory, BAR1, and the arrays of samples, field values, process
 * entries and GPM metrics) are read straight from a reused native buffer: passing a {@link Structure} costs JNA a
 * reflective write and read around each call (~0.3 µs, more than a direct call itself). Their {@code OFFSET_*} and
 * {@code SIZE} constants are computed once from the {@code @FieldOrder} structs here, so the layout is written
 * down in one place only.
 */
public final class NvmlStructs {
  private NvmlStructs() {}

  /** Gives the offsets JNA computed for a struct; {@link Structure#fieldOffset} is protected. */
  abstract static class Layout extends Structure {
    Layout() {}

    Layout(Pointer p) {
      super(p);
    }

    /** Byte offset of a field within the struct. */
    public int offsetOf(String field) {
      return fieldOffset(field);
    }
  }

  /** {@code nvmlPciInfo_t}, 68 bytes, filled by {@code nvmlDeviceGetPciInfo_v3}. */
  @FieldOrder({"busIdLegacy", "domain", "bus", "device", "pciDeviceId", "pciSubSystemId", "busId"})
  public static final class PciInfo extends Layout {
    public byte[] busIdLegacy = new byte[16];
    public int domain;
    public int bus;
    public int device;
    public int pciDeviceId;
    public int pciSubSystemId;
    public byte[] busId = new byte[32];
  }

  /** {@code nvmlUtilization_t}: percent over the driver's last sample period. */
  @FieldOrder({"gpu", "memory"})
  public static final class Utilization extends Layout {
    public int gpu;
    public int memory;

    private static final Utilization LAYOUT = new Utilization();
    public static final int SIZE = LAYOUT.size();
    public static final int OFFSET_GPU = LAYOUT.offsetOf("gpu");
    public static final int OFFSET_MEMORY = LAYOUT.offsetOf("memory");
  }

  /** {@code nvmlTemperature_v1_t}, 12 bytes, filled by {@code nvmlDeviceGetTemperatureV}. */
  @FieldOrder({"version", "sensorType", "temperature"})
  public static final class TemperatureV1 extends Layout {
    /** {@code NVML_STRUCT_VERSION(Temperature, 1)} = sizeof | 1 << 24. */
    public static final int VERSION_1 = 0x0100000C;

    public int version = VERSION_1;
    public int sensorType;
    public int temperature;

    private static final TemperatureV1 LAYOUT = new TemperatureV1();
    public static final int SIZE = LAYOUT.size();
    public static final int OFFSET_VERSION = LAYOUT.offsetOf("version");
    public static final int OFFSET_SENSOR_TYPE = LAYOUT.offsetOf("sensorType");
    public static final int OFFSET_TEMPERATURE = LAYOUT.offsetOf("temperature");
  }

  /** {@code nvmlMemory_t} (v1): {@code used} includes the memory the driver reserves. */
  @FieldOrder({"total", "free", "used"})
  public static final class MemoryV1 extends Layout {
    public long total;
    public long free;
    public long used;

    private static final MemoryV1 LAYOUT = new MemoryV1();
    public static final int SIZE = LAYOUT.size();
    public static final int OFFSET_TOTAL = LAYOUT.offsetOf("total");
    public static final int OFFSET_FREE = LAYOUT.offsetOf("free");
    public static final int OFFSET_USED = LAYOUT.offsetOf("used");
  }

  /** {@code nvmlMemory_v2_t}, 40 bytes: {@code version} is padded to 8, and {@code used} excludes {@code reserved}. */
  @FieldOrder({"version", "total", "reserved", "free", "used"})
  public static final class MemoryV2 extends Layout {
    /** {@code NVML_STRUCT_VERSION(Memory, 2)} = sizeof | 2 << 24. */
    public static final int VERSION_2 = 0x02000028;

    public int version = VERSION_2;
    public long total;
    public long reserved;
    public long free;
    public long used;

    private static final MemoryV2 LAYOUT = new MemoryV2();
    public static final int SIZE = LAYOUT.size();
    public static final int OFFSET_VERSION = LAYOUT.offsetOf("version");
    public static final int OFFSET_TOTAL = LAYOUT.offsetOf("total");
    public static final int OFFSET_RESERVED = LAYOUT.offsetOf("reserved");
    public static final int OFFSET_FREE = LAYOUT.offsetOf("free");
    public static final int OFFSET_USED = LAYOUT.offsetOf("used");
  }

  /** {@code nvmlBAR1Memory_t}. */
  @FieldOrder({"bar1Total", "bar1Free", "bar1Used"})
  public static final class Bar1Memory extends Layout {
    public long bar1Total;
    public long bar1Free;
    public long bar1Used;

    private static final Bar1Memory LAYOUT = new Bar1Memory();
    public static final int SIZE = LAYOUT.size();
    public static final int OFFSET_TOTAL = LAYOUT.offsetOf("bar1Total");
    public static final int OFFSET_USED = LAYOUT.offsetOf("bar1Used");
  }

  /** {@code nvmlFieldValue_t}, 40 bytes; the {@code nvmlValue_t} union is 8 bytes at offset 32. */
  @FieldOrder({"fieldId", "scopeId", "timestamp", "latencyUsec", "valueType", "nvmlReturn", "value"})
  public static final class FieldValue extends Layout {
    public int fieldId;
    public int scopeId;
    public long timestamp;
    public long latencyUsec;
    public int valueType;
    public int nvmlReturn;
    /** The union's raw 8 bytes; decode with {@link NvmlValue}. */
    public long value;

    private static final FieldValue LAYOUT = new FieldValue();
    public static final int SIZE = LAYOUT.size();
    public static final int OFFSET_FIELD_ID = LAYOUT.offsetOf("fieldId");
    public static final int OFFSET_SCOPE_ID = LAYOUT.offsetOf("scopeId");
    public static final int OFFSET_VALUE_TYPE = LAYOUT.offsetOf("valueType");
    public static final int OFFSET_RETURN = LAYOUT.offsetOf("nvmlReturn");
    public static final int OFFSET_VALUE = LAYOUT.offsetOf("value");
  }

  /** {@code nvmlSample_t}, 16 bytes: a timestamp in µs and an {@code nvmlValue_t}. */
  @FieldOrder({"timeStamp", "sampleValue"})
  public static final class Sample extends Layout {
    public long timeStamp;
    public long sampleValue;

    private static final Sample LAYOUT = new Sample();
    public static final int SIZE = LAYOUT.size();
    public static final int OFFSET_TIMESTAMP = LAYOUT.offsetOf("timeStamp");
    public static final int OFFSET_VALUE = LAYOUT.offsetOf("sampleValue");
  }

  /**
   * {@code nvmlProcessInfo_t} as the header declares it for the {@code _v3} process functions: 24 bytes. Some
   * R535-era drivers write 32-byte entries through the same symbol; {@link ComputeProcessReader} probes the stride.
   */
  @FieldOrder({"pid", "usedGpuMemory", "gpuInstanceId", "computeInstanceId"})
  public static final class ProcessInfo extends Layout {
    public int pid;
    public long usedGpuMemory;
    public int gpuInstanceId;
    public int computeInstanceId;

    private static final ProcessInfo LAYOUT = new ProcessInfo();
    public static final int SIZE = LAYOUT.size();
    public static final int OFFSET_USED_GPU_MEMORY = LAYOUT.offsetOf("usedGpuMemory");
    /** The stride of the 32-byte {@code nvmlProcessDetail_v1_t} some drivers write instead. */
    public static final int DETAIL_SIZE = 32;
  }

  /** {@code nvmlEventData_t}, 32 bytes; {@code eventData} is the XID number for XID events. */
  @FieldOrder({"device", "eventType", "eventData", "gpuInstanceId", "computeInstanceId"})
  public static final class EventData extends Layout {
    public Pointer device;
    public long eventType;
    public long eventData;
    public int gpuInstanceId;
    public int computeInstanceId;
  }

  /** {@code nvmlGpmSupport_t}, version 1. */
  @FieldOrder({"version", "isSupportedDevice"})
  public static final class GpmSupport extends Layout {
    public int version = 1;
    public int isSupportedDevice;
  }

  /** {@code nvmlGpmMetric_t}, 40 bytes: id, per-metric return code, value, then three {@code char*} of metadata. */
  @FieldOrder({"metricId", "nvmlReturn", "value", "shortName", "longName", "unit"})
  public static final class GpmMetric extends Layout {
    public int metricId;
    public int nvmlReturn;
    public double value;
    public Pointer shortName;
    public Pointer longName;
    public Pointer unit;

    private static final GpmMetric LAYOUT = new GpmMetric();
    public static final int SIZE = LAYOUT.size();
    public static final int OFFSET_RETURN = LAYOUT.offsetOf("nvmlReturn");
    public static final int OFFSET_VALUE = LAYOUT.offsetOf("value");
  }

  /**
   * The fixed head of {@code nvmlGpmMetricsGet_t}; the {@code metrics[NVML_GPM_METRIC_MAX]} array follows at
   * {@link #SIZE} (24). NVML_GPM_METRIC_MAX grew across header releases (98, 210, 333); the driver reads only
   * {@code numMetrics} entries, so the buffer is sized for the largest and {@code numMetrics} set to the request.
   */
  @FieldOrder({"version", "numMetrics", "sample1", "sample2"})
  public static final class GpmMetricsGetHead extends Layout {
    public static final int NVML_GPM_METRICS_GET_VERSION = 1;
    public static final int NVML_GPM_METRIC_MAX = 333;

    public int version = NVML_GPM_METRICS_GET_VERSION;
    public int numMetrics;
    public Pointer sample1;
    public Pointer sample2;

    private static final GpmMetricsGetHead LAYOUT = new GpmMetricsGetHead();
    public static final int SIZE = LAYOUT.size();
    public static final int OFFSET_NUM_METRICS = LAYOUT.offsetOf("numMetrics");
    public static final int OFFSET_SAMPLE1 = LAYOUT.offsetOf("sample1");
    public static final int OFFSET_SAMPLE2 = LAYOUT.offsetOf("sample2");
    /** Size of the whole {@code nvmlGpmMetricsGet_t} with the largest metric array. */
    public static final int FULL_SIZE = SIZE + GpmMetric.SIZE * NVML_GPM_METRIC_MAX;
  }
}
