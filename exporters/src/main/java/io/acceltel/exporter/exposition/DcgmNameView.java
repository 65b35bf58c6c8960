package io.acceltel.exporter.exposition;

import static io.acceltel.exporter.exposition.ReadingExtractor.bitmask;
import static io.acceltel.exporter.exposition.ReadingExtractor.labelled;
import static io.acceltel.exporter.exposition.ReadingExtractor.scaled;
import static io.acceltel.exporter.exposition.ReadingExtractor.summed;
import static io.acceltel.model.catalog.MetricType.COUNTER;
import static io.acceltel.model.catalog.MetricType.GAUGE;

import io.acceltel.model.catalog.ClockEventReasons;
import io.acceltel.model.catalog.ClockLimits;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.catalog.MetricType;
import io.acceltel.model.snapshot.Attribution;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * dcgm-exporter's names and labels ({@code --names=dcgm}), so Grafana dashboards built for NVIDIA's dcgm-exporter
 * work unchanged. Metric names are DCGM field names; labels are {@code gpu}, {@code UUID}, {@code pci_bus_id},
 * {@code device} ({@code nvidia<index>}), {@code modelName}, {@code Hostname} and {@code DCGM_FI_DRIVER_VERSION}, as
 * dcgm-exporter up to 4.8 emits them; units are DCGM's (MiB, %, MHz, mJ) where they differ from acceltel's.
 */
public final class DcgmNameView implements MetricNameView {
  public static final String NAME = "dcgm";
  private static final double MIB = 1.0 / (1024 * 1024);
  private static final double MHZ = 1e-6;
  private static final String[] POD_LABELS = {"pod", "namespace", "container"};
  private static final String[] LABELS =
      {"gpu", "UUID", "pci_bus_id", "device", "modelName", "Hostname", "DCGM_FI_DRIVER_VERSION"};

  /** The table: one row per DCGM field acceltel can provide, in dcgm-exporter's default-counters order. */
  static final List<DcgmField> FIELDS = List.of(
      field("DCGM_FI_DEV_SM_CLOCK", GAUGE, "SM clock frequency (in MHz).",
          MetricCatalog.CLOCK, "MHz", labelled(MetricCatalog.CLOCK, Map.of("clock", "sm"), MHZ)),
      field("DCGM_FI_DEV_MEM_CLOCK", GAUGE, "Memory clock frequency (in MHz).",
          MetricCatalog.CLOCK, "MHz", labelled(MetricCatalog.CLOCK, Map.of("clock", "memory"), MHZ)),
      field("DCGM_FI_DEV_MAX_SM_CLOCK", GAUGE, "Maximum SM clock frequency (in MHz).",
          MetricCatalog.CLOCK_MAX, "MHz", labelled(MetricCatalog.CLOCK_MAX, Map.of("clock", "sm"), MHZ)),
      field("DCGM_FI_DEV_MAX_MEM_CLOCK", GAUGE, "Maximum memory clock frequency (in MHz).",
          MetricCatalog.CLOCK_MAX, "MHz", labelled(MetricCatalog.CLOCK_MAX, Map.of("clock", "memory"), MHZ)),
      field("DCGM_FI_DEV_MEMORY_TEMP", GAUGE, "Memory temperature (in C).",
          MetricCatalog.MEMORY_TEMPERATURE, "", scaled(MetricCatalog.MEMORY_TEMPERATURE, 1)),
      field("DCGM_FI_DEV_GPU_TEMP", GAUGE, "GPU temperature (in C).",
          MetricCatalog.TEMPERATURE, "", scaled(MetricCatalog.TEMPERATURE, 1)),
      field("DCGM_FI_DEV_SLOWDOWN_TEMP", GAUGE, "Slowdown temperature threshold (in C).",
          MetricCatalog.TEMPERATURE_SLOWDOWN, "", scaled(MetricCatalog.TEMPERATURE_SLOWDOWN, 1)),
      field("DCGM_FI_DEV_SHUTDOWN_TEMP", GAUGE, "Shutdown temperature threshold (in C).",
          MetricCatalog.TEMPERATURE_SHUTDOWN, "", scaled(MetricCatalog.TEMPERATURE_SHUTDOWN, 1)),
      field("DCGM_FI_DEV_POWER_USAGE", GAUGE, "Power draw (in W).",
          MetricCatalog.POWER, "", scaled(MetricCatalog.POWER, 1)),
      // The enforced limit (after every limiter), DCGM's field 164; field 160, POWER_MGMT_LIMIT, is the
      // management limit alone, which the exporter does not read.
      field("DCGM_FI_DEV_ENFORCED_POWER_LIMIT", GAUGE, "Effective power limit that the driver enforces (in W).",
          MetricCatalog.POWER_LIMIT, "", scaled(MetricCatalog.POWER_LIMIT, 1)),
      field("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", COUNTER, "Total energy consumption since boot (in mJ).",
          MetricCatalog.ENERGY, "mJ", scaled(MetricCatalog.ENERGY, 1000)),
      field("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", COUNTER, "Total number of PCIe retries.",
          MetricCatalog.PCIE_REPLAY, "", scaled(MetricCatalog.PCIE_REPLAY, 1)),
      field("DCGM_FI_DEV_PCIE_LINK_GEN", GAUGE, "PCIe current link generation.",
          MetricCatalog.PCIE_LINK_GEN, "", scaled(MetricCatalog.PCIE_LINK_GEN, 1)),
      field("DCGM_FI_DEV_PCIE_LINK_WIDTH", GAUGE, "PCIe current link width.",
          MetricCatalog.PCIE_LINK_WIDTH, "", scaled(MetricCatalog.PCIE_LINK_WIDTH, 1)),
      field("DCGM_FI_DEV_GPU_UTIL", GAUGE, "GPU utilization (in %).",
          MetricCatalog.UTILIZATION, "%", scaled(MetricCatalog.UTILIZATION, 100)),
      field("DCGM_FI_DEV_MEM_COPY_UTIL", GAUGE, "Memory utilization (in %).",
          MetricCatalog.MEMORY_UTILIZATION, "%", scaled(MetricCatalog.MEMORY_UTILIZATION, 100)),
      field("DCGM_FI_DEV_ENC_UTIL", GAUGE, "Encoder utilization (in %).",
          MetricCatalog.ENCODER_UTILIZATION, "%", scaled(MetricCatalog.ENCODER_UTILIZATION, 100)),
      field("DCGM_FI_DEV_DEC_UTIL", GAUGE, "Decoder utilization (in %).",
          MetricCatalog.DECODER_UTILIZATION, "%", scaled(MetricCatalog.DECODER_UTILIZATION, 100)),
      field("DCGM_FI_DEV_XID_ERRORS", GAUGE, "Value of the last XID error encountered.",
          MetricCatalog.LAST_XID, "", scaled(MetricCatalog.LAST_XID, 1)),
      field("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", GAUGE, "Current clock event reasons (bitmask).",
          MetricCatalog.CLOCK_EVENT, "bitmask", bitmask(MetricCatalog.CLOCK_EVENT, "reason", ClockEventReasons.BITS)),
      violation("DCGM_FI_DEV_POWER_VIOLATION", "Throttling duration due to power constraints (in ns).",
          ClockLimits.POWER),
      violation("DCGM_FI_DEV_THERMAL_VIOLATION", "Throttling duration due to thermal constraints (in ns).",
          ClockLimits.THERMAL),
      violation("DCGM_FI_DEV_SYNC_BOOST_VIOLATION", "Throttling duration due to sync-boost constraints (in ns).",
          ClockLimits.SYNC_BOOST),
      violation("DCGM_FI_DEV_BOARD_LIMIT_VIOLATION", "Throttling duration due to board limit constraints (in ns).",
          ClockLimits.BOARD_LIMIT),
      violation("DCGM_FI_DEV_LOW_UTIL_VIOLATION", "Throttling duration due to low utilization (in ns).",
          ClockLimits.LOW_UTILIZATION),
      violation("DCGM_FI_DEV_RELIABILITY_VIOLATION", "Throttling duration due to reliability constraints (in ns).",
          ClockLimits.RELIABILITY),
      violation("DCGM_FI_DEV_TOTAL_APP_CLOCKS_VIOLATION", "Time below the application clocks (in ns).",
          ClockLimits.BELOW_APPLICATION_CLOCKS),
      violation("DCGM_FI_DEV_TOTAL_BASE_CLOCKS_VIOLATION", "Time below the base clocks (in ns).",
          ClockLimits.BELOW_BASE_CLOCKS),
      field("DCGM_FI_DEV_PSTATE", GAUGE, "Performance state (P-State) 0-15. 0=highest.",
          MetricCatalog.PSTATE, "", scaled(MetricCatalog.PSTATE, 1)),
      field("DCGM_FI_DEV_FAN_SPEED", GAUGE, "Fan speed (in 0-100%).",
          MetricCatalog.FAN_SPEED, "%", scaled(MetricCatalog.FAN_SPEED, 100)),
      field("DCGM_FI_DEV_FB_FREE", GAUGE, "Framebuffer memory free (in MiB).",
          MetricCatalog.MEMORY_FREE, "MiB", scaled(MetricCatalog.MEMORY_FREE, MIB)),
      field("DCGM_FI_DEV_FB_USED", GAUGE, "Framebuffer memory used (in MiB).",
          MetricCatalog.MEMORY_USED, "MiB", scaled(MetricCatalog.MEMORY_USED, MIB)),
      field("DCGM_FI_DEV_FB_RESERVED", GAUGE, "Framebuffer memory reserved (in MiB).",
          MetricCatalog.MEMORY_RESERVED, "MiB", scaled(MetricCatalog.MEMORY_RESERVED, MIB)),
      field("DCGM_FI_DEV_FB_TOTAL", GAUGE, "Framebuffer memory total (in MiB).",
          MetricCatalog.MEMORY_TOTAL, "MiB", scaled(MetricCatalog.MEMORY_TOTAL, MIB)),
      field("DCGM_FI_DEV_BAR1_USED", GAUGE, "Used BAR1 (in MB).",
          MetricCatalog.BAR1_USED, "MiB", scaled(MetricCatalog.BAR1_USED, MIB)),
      field("DCGM_FI_DEV_BAR1_TOTAL", GAUGE, "Total BAR1 (in MB).",
          MetricCatalog.BAR1_TOTAL, "MiB", scaled(MetricCatalog.BAR1_TOTAL, MIB)),
      field("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", COUNTER, "Total number of single-bit volatile ECC errors.",
          MetricCatalog.ECC_ERRORS, "", ecc("corrected", "volatile")),
      field("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", COUNTER, "Total number of double-bit volatile ECC errors.",
          MetricCatalog.ECC_ERRORS, "", ecc("uncorrected", "volatile")),
      field("DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", COUNTER, "Total number of single-bit persistent ECC errors.",
          MetricCatalog.ECC_ERRORS, "", ecc("corrected", "aggregate")),
      field("DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", COUNTER, "Total number of double-bit persistent ECC errors.",
          MetricCatalog.ECC_ERRORS, "", ecc("uncorrected", "aggregate")),
      field("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", COUNTER,
          "Number of remapped rows for uncorrectable errors.", MetricCatalog.REMAPPED_ROWS, "",
          labelled(MetricCatalog.REMAPPED_ROWS, Map.of("error", "uncorrectable"), 1)),
      field("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", COUNTER, "Number of remapped rows for correctable errors.",
          MetricCatalog.REMAPPED_ROWS, "", labelled(MetricCatalog.REMAPPED_ROWS, Map.of("error", "correctable"), 1)),
      field("DCGM_FI_DEV_ROW_REMAP_FAILURE", GAUGE, "Whether remapping of rows has failed.",
          MetricCatalog.ROW_REMAP_FAILED, "", scaled(MetricCatalog.ROW_REMAP_FAILED, 1)),
      field("DCGM_FI_DEV_ROW_REMAP_PENDING", GAUGE, "Whether a row remap is pending.",
          MetricCatalog.ROW_REMAP_PENDING, "", scaled(MetricCatalog.ROW_REMAP_PENDING, 1)),
      field("DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL", COUNTER, "Total number of NVLink flow-control CRC errors.",
          MetricCatalog.NVLINK_ERRORS, "sum over links", nvlink("crc_flit")),
      field("DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL", COUNTER, "Total number of NVLink data CRC errors.",
          MetricCatalog.NVLINK_ERRORS, "sum over links", nvlink("crc_data")),
      field("DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL", COUNTER, "Total number of NVLink retries.",
          MetricCatalog.NVLINK_ERRORS, "sum over links", nvlink("replay")),
      field("DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL", COUNTER, "Total number of NVLink recovery errors.",
          MetricCatalog.NVLINK_ERRORS, "sum over links", nvlink("recovery")),
      field("DCGM_FI_PROF_GR_ENGINE_ACTIVE", GAUGE, "Ratio of time the graphics engine is active.",
          MetricCatalog.GRAPHICS_ENGINE_ACTIVE, "", scaled(MetricCatalog.GRAPHICS_ENGINE_ACTIVE, 1)),
      field("DCGM_FI_PROF_SM_ACTIVE", GAUGE, "The ratio of cycles an SM has at least 1 warp assigned.",
          MetricCatalog.SM_ACTIVE, "", scaled(MetricCatalog.SM_ACTIVE, 1)),
      field("DCGM_FI_PROF_SM_OCCUPANCY", GAUGE, "The ratio of number of warps resident on an SM.",
          MetricCatalog.SM_OCCUPANCY, "", scaled(MetricCatalog.SM_OCCUPANCY, 1)),
      field("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", GAUGE, "Ratio of cycles the tensor (HMMA) pipe is active.",
          MetricCatalog.TENSOR_ACTIVE, "", scaled(MetricCatalog.TENSOR_ACTIVE, 1)),
      field("DCGM_FI_PROF_DRAM_ACTIVE", GAUGE, "Ratio of cycles the device memory interface is active.",
          MetricCatalog.DRAM_ACTIVE, "", scaled(MetricCatalog.DRAM_ACTIVE, 1)),
      field("DCGM_FI_PROF_PIPE_FP64_ACTIVE", GAUGE, "Ratio of cycles the fp64 pipes are active.",
          MetricCatalog.FP64_ACTIVE, "", scaled(MetricCatalog.FP64_ACTIVE, 1)),
      field("DCGM_FI_PROF_PIPE_FP32_ACTIVE", GAUGE, "Ratio of cycles the fp32 pipes are active.",
          MetricCatalog.FP32_ACTIVE, "", scaled(MetricCatalog.FP32_ACTIVE, 1)),
      field("DCGM_FI_PROF_PIPE_FP16_ACTIVE", GAUGE, "Ratio of cycles the fp16 pipes are active.",
          MetricCatalog.FP16_ACTIVE, "", scaled(MetricCatalog.FP16_ACTIVE, 1)),
      field("DCGM_FI_PROF_PCIE_TX_BYTES", GAUGE, "The rate of data transmitted over the PCIe bus, bytes/s.",
          MetricCatalog.PROFILED_PCIE_TX, "", scaled(MetricCatalog.PROFILED_PCIE_TX, 1)),
      field("DCGM_FI_PROF_PCIE_RX_BYTES", GAUGE, "The rate of data received over the PCIe bus, bytes/s.",
          MetricCatalog.PROFILED_PCIE_RX, "", scaled(MetricCatalog.PROFILED_PCIE_RX, 1)),
      field("DCGM_FI_PROF_NVLINK_TX_BYTES", GAUGE, "The rate of data transmitted over NVLink, bytes/s.",
          MetricCatalog.PROFILED_NVLINK_TX, "", scaled(MetricCatalog.PROFILED_NVLINK_TX, 1)),
      field("DCGM_FI_PROF_NVLINK_RX_BYTES", GAUGE, "The rate of data received over NVLink, bytes/s.",
          MetricCatalog.PROFILED_NVLINK_RX, "", scaled(MetricCatalog.PROFILED_NVLINK_RX, 1)));

  @Override
  public String name() {
    return NAME;
  }

  /**
   * On a MIG-split GPU dcgm-exporter serves each GPU instance, not the GPU: one series per GPU instance
   * ({@code GPU_I_ID}, {@code GPU_I_PROFILE}, that instance's pod), the framebuffer fields from the instance's own
   * memory and the other GPU-wide fields repeated. The profiling fields are left out there: acceltel profiles the
   * whole GPU, which is not the instance's activity.
   */
  private static final Map<String, MigMemory> PER_INSTANCE = Map.of(
      "DCGM_FI_DEV_FB_USED", MigMemory.USED, "DCGM_FI_DEV_FB_TOTAL", MigMemory.TOTAL,
      "DCGM_FI_DEV_FB_FREE", MigMemory.FREE);
  private static final String PROFILING_PREFIX = "DCGM_FI_PROF_";
  /** A compute instance's profile ({@code 1c.3g.40gb}) names its GPU instance's after the first dot. */
  private static final Pattern COMPUTE_PROFILE = Pattern.compile("\\d+c\\.(.+)");

  private enum MigMemory {
    USED, TOTAL, FREE;

    OptionalDouble mebibytes(double usedBytes, double totalBytes) {
      double bytes = switch (this) {
        case USED -> usedBytes;
        case TOTAL -> totalBytes;
        case FREE -> totalBytes - usedBytes;
      };
      return Double.isNaN(bytes) ? OptionalDouble.empty() : OptionalDouble.of(bytes * MIB);
    }
  }

  /**
   * The series of one device: the whole GPU ({@code usedBytes} and {@code totalBytes} unused) or one GPU instance
   * of a MIG-split GPU, with its memory (NaN when not read).
   */
  private record Row(DeviceSnapshot device, Labels labels, boolean gpuInstance, double usedBytes,
      double totalBytes) {
    OptionalDouble value(DcgmField field) {
      if (!gpuInstance) {
        return field.extractor().extract(device);
      }
      MigMemory memory = PER_INSTANCE.get(field.name());
      if (memory != null) {
        return memory.mebibytes(usedBytes, totalBytes);
      }
      return field.name().startsWith(PROFILING_PREFIX) ? OptionalDouble.empty() : field.extractor().extract(device);
    }
  }

  @Override
  public MetricSnapshots render(NodeSnapshot snapshot) {
    List<Row> rows = new ArrayList<>();
    for (DeviceSnapshot device : snapshot.devices()) {
      Labels gpu = gpuLabels(snapshot.node(), device);
      List<Row> instances = gpuInstanceRows(device, gpu);
      if (instances.isEmpty()) {
        rows.add(new Row(device, withPod(gpu, device.attribution()), false, Double.NaN, Double.NaN));
      } else {
        rows.addAll(instances);
      }
    }
    List<Labels> labels = rows.stream().map(Row::labels).toList();
    List<MetricSnapshot> out = new ArrayList<>(FIELDS.size());
    for (DcgmField field : FIELDS) {
      List<OptionalDouble> values = rows.stream().map(row -> row.value(field)).toList();
      // dcgm-exporter names its counters without _total: they are served untyped to keep the exact DCGM name,
      // which is what dashboards and rules select on.
      MetricSnapshot family = CompatFamilies.family(field.name(), field.help(), field.type() == COUNTER, values,
          labels);
      if (family != null) {
        out.add(family);
      }
    }
    return new MetricSnapshots(out);
  }

  /**
   * One row per GPU instance of the device, none when MIG is off. A GPU instance split into compute instances has
   * one MIG device per compute instance; they share its memory, and name its pod only when they agree on one.
   */
  private static List<Row> gpuInstanceRows(DeviceSnapshot device, Labels gpu) {
    Map<String, GpuInstance> instances = null; // most GPUs have no MIG: nothing allocated for them
    for (Reading r : device.readings()) {
      boolean info = r.metric() == MetricCatalog.MIG_INFO;
      boolean used = r.metric() == MetricCatalog.MIG_MEMORY_USED;
      if (!info && !used && r.metric() != MetricCatalog.MIG_MEMORY_TOTAL) {
        continue;
      }
      if (instances == null) {
        instances = new LinkedHashMap<>();
      }
      GpuInstance instance = instances.computeIfAbsent(r.labelValues().get(1), k -> new GpuInstance());
      if (info) {
        if (instance.profile == null) {
          Matcher compute = COMPUTE_PROFILE.matcher(r.labelValues().get(3));
          instance.profile = compute.matches() ? compute.group(1) : r.labelValues().get(3);
        }
        instance.migUuids.add(r.labelValues().get(0));
      } else if (used) {
        instance.usedBytes = r.value();
      } else {
        instance.totalBytes = r.value();
      }
    }
    if (instances == null) {
      return List.of();
    }
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, GpuInstance> e : instances.entrySet()) {
      GpuInstance instance = e.getValue();
      if (instance.migUuids.isEmpty()) {
        continue; // memory of an instance with no MIG device listed: nothing to name it by
      }
      Set<Attribution> holders = new HashSet<>();
      for (String migUuid : instance.migUuids) {
        holders.add(device.instanceAttributions().getOrDefault(migUuid, Attribution.NONE));
      }
      Labels labels = gpu.add("GPU_I_ID", e.getKey()).add("GPU_I_PROFILE", instance.profile);
      rows.add(new Row(device, holders.size() == 1 ? withPod(labels, holders.iterator().next()) : labels, true,
          instance.usedBytes, instance.totalBytes));
    }
    return rows;
  }

  /** What the readings say about one GPU instance: its profile, its MIG devices and its memory (NaN unread). */
  private static final class GpuInstance {
    String profile;
    final List<String> migUuids = new ArrayList<>();
    double usedBytes = Double.NaN;
    double totalBytes = Double.NaN;
  }

  /** dcgm-exporter adds pod, namespace and container when it maps the GPU (or instance) to a pod; so do we. */
  private static Labels withPod(Labels labels, Attribution holder) {
    for (String name : POD_LABELS) {
      String value = holder.get(name);
      if (value != null) {
        labels = labels.add(name, value);
      }
    }
    return labels;
  }

  private static Labels gpuLabels(String node, DeviceSnapshot device) {
    String busId = "";
    String driver = "";
    for (Reading r : device.readings()) {
      if (r.metric() == MetricCatalog.DEVICE_INFO) {
        List<String> names = r.metric().labelNames();
        busId = r.labelValues().get(names.indexOf("pci_bus_id"));
        driver = r.labelValues().get(names.indexOf("driver_version"));
        break;
      }
    }
    int index = device.identity().index();
    return Labels.of(LABELS, new String[] {Integer.toString(index), device.identity().uuid(), busId,
        "nvidia" + index, device.identity().model(), node, driver});
  }

  private static DcgmField field(String name, MetricType type, String help, MetricDefinition source, String unitNote,
      ReadingExtractor extractor) {
    return new DcgmField(name, type, help, source, unitNote, extractor);
  }

  /**
   * DCGM's violation fields are nanoseconds: NVML's violation time as it is (dcgm_fields.h, and dcgm-exporter's
   * counter files since its PR #589; older comments said usec, which was wrong).
   */
  private static DcgmField violation(String name, String help, String limit) {
    return field(name, COUNTER, help, MetricCatalog.CLOCK_LIMITED, "ns",
        labelled(MetricCatalog.CLOCK_LIMITED, Map.of("limit", limit), 1e9));
  }

  private static ReadingExtractor ecc(String error, String scope) {
    return labelled(MetricCatalog.ECC_ERRORS, Map.of("error", error, "scope", scope), 1);
  }

  private static ReadingExtractor nvlink(String error) {
    return summed(MetricCatalog.NVLINK_ERRORS, Map.of("error", error));
  }
}
