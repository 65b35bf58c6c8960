package io.acceltel.exporter.health;

import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.catalog.MetricDefinition;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.acceltel.model.snapshot.Vendor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Derives a device's health from one tick's readings and what was remembered from earlier ticks: a pure function,
 * written as a table of small rules. Every rule that finds something adds a {@link HealthReason}; the device's state
 * is the worst of them. docs/health.md lists the same table for operators.
 *
 * <pre>{@code
 * HealthRules.Evaluation e = HealthRules.evaluate(device, history, tickMillis, HealthRules.DEFAULT_APP_XID_WINDOW);
 * e.health().state();   // FAILED
 * e.health().reasons(); // [xid_79: GPU has fallen off the bus ... -> reboot the node]
 * history = e.history();
 * }</pre>
 *
 * <p>XIDs NVIDIA resolves by a GPU reset or a node reboot keep the device failed for as long as the exporter runs:
 * the XID counter never goes down, and NVML offers no reliable signal that the reset happened. Restarting the
 * exporter on the node (which a reboot does) clears them. XIDs resolved by restarting the application, and NVLink5
 * errors, degrade the device for {@code appXidWindow} after they were last seen. The driver's recovery action is
 * read every tick, so what it asks for clears when it is done.
 */
public final class HealthRules {
  public static final Duration DEFAULT_APP_XID_WINDOW = Duration.ofMinutes(5);
  /** Utilization above which a PCIe link below its maximum generation counts: idle links down-train on purpose. */
  static final double PCIE_GEN_BUSY = 0.2;
  /**
   * How long a reason that follows a reading which comes and goes (a clock event bit the driver sets and clears as it
   * regulates, a link that retrains) stays after it was last seen: it enters at once and leaves only after this
   * long clear, so the state does not flap every second, and a sustained condition holds through an alert's
   * {@code for:}. At intervals of 30 s and more, two intervals: a hold must outlast the tick after the one it was
   * last seen in.
   */
  static final long HOLD_MILLIS = 60_000;
  private static final Set<String> HELD = Set.of("thermal_slowdown", "power_brake_slowdown", "hw_slowdown",
      "pcie_gen_degraded", "pcie_width_degraded", "network_unhealthy");
  /** Ticks in a row a device may answer without any of its core readings before it counts as unresponsive. */
  static final int UNRESPONSIVE_AFTER_TICKS = 3;
  /**
   * What every accelerator reports while its driver can read it at all; a vGPU guest may lack power and temperature,
   * never all three.
   */
  private static final List<MetricDefinition> CORE = List.of(MetricCatalog.TEMPERATURE, MetricCatalog.POWER,
      MetricCatalog.MEMORY_USED);

  /** One rule: looks at the facts of one device and adds the reasons it finds. */
  @FunctionalInterface
  interface Rule {
    void check(Facts facts, List<HealthReason> out);
  }

  /** The table; the order is the order reasons are listed in. */
  static final List<Rule> RULES = List.of(
      HealthRules::lost,
      HealthRules::unresponsive,
      HealthRules::xids,
      HealthRules::uncorrectableEcc,
      HealthRules::rowRemap,
      HealthRules::recoveryAction,
      HealthRules::nvlinkDown,
      HealthRules::pcieDegraded,
      HealthRules::slowdown,
      HealthRules::driverAlarm,
      HealthRules::network);

  /** A device's health and what to remember for the next tick. */
  public record Evaluation(DeviceHealth health, DeviceHistory history) {}

  private HealthRules() {}

  /** At a 1 s interval (any under 30 s): holds of {@link #HOLD_MILLIS}. */
  public static Evaluation evaluate(DeviceSnapshot device, DeviceHistory previous, long tickMillis,
      Duration appXidWindow) {
    return evaluate(device, previous, tickMillis, appXidWindow, Duration.ofSeconds(1));
  }

  /** @param interval the collection interval, which the holds must outlast */
  public static Evaluation evaluate(DeviceSnapshot device, DeviceHistory previous, long tickMillis,
      Duration appXidWindow, Duration interval) {
    long hold = Math.max(HOLD_MILLIS, 2 * interval.toMillis());
    Facts facts = new Facts(device, previous, tickMillis, appXidWindow.toMillis(), hold);
    List<HealthReason> reasons = new ArrayList<>();
    for (Rule rule : RULES) {
      rule.check(facts, reasons);
    }
    facts.hold(reasons);
    return new Evaluation(DeviceHealth.of(device.identity(), reasons), facts.next());
  }

  // ---- the rules

  static void lost(Facts f, List<HealthReason> out) {
    if (f.device.lost()) {
      out.add(new HealthReason("device_lost", HealthState.FAILED,
          "the device does not answer (fallen off the bus, or its reads missed the tick's deadline "
              + "three ticks in a row)",
          "reboot the node"));
    }
  }

  /**
   * A device whose every call fails but that is not lost: nvidia-smi shows it as ERR!, or NVML answers
   * RESET_REQUIRED. Without this rule its missing readings would look like nothing wrong.
   */
  static void unresponsive(Facts f, List<HealthReason> out) {
    // Every NVIDIA GPU reports its memory; an Ascend 310P may give one core reading only, whose sensor can fail on
    // its own, so an NPU is judged once it has shown at least two kinds.
    boolean judged = f.device.identity().vendor() == Vendor.NVIDIA || f.coreKindsSeen >= 2;
    if (judged && f.ticksWithoutCoreReadings >= UNRESPONSIVE_AFTER_TICKS) {
      out.add(new HealthReason("device_unresponsive", HealthState.FAILED, "the driver answers for the device but "
          + "gives none of its core readings (temperature, power, memory used) for " + f.ticksWithoutCoreReadings
          + " ticks in a row: its calls fail", "see which calls fail in acceltel_exporter_backend_errors_total and "
          + "the exporter's log, check the device with nvidia-smi or npu-smi; reset it, or reboot the node"));
    }
  }

  static void xids(Facts f, List<HealthReason> out) {
    for (Map.Entry<String, Double> e : f.xidCounts.entrySet()) {
      int xid = parseXid(e.getKey());
      XidCatalog.Entry entry = XidCatalog.lookup(xid);
      HealthState state = entry.action().state();
      if (state == null || e.getValue() <= 0) {
        continue;
      }
      boolean forAWhile = state == HealthState.DEGRADED;
      if (!forAWhile && entry.action().doneByAReset() && f.xidsSinceRecovery(e.getKey()) <= 0) {
        continue; // the reset it asked for happened since: the device fell off the bus and came back
      }
      if (forAWhile) {
        Long last = f.xidLastIncrease.get(e.getKey());
        if (last != null && f.tickMillis < last) {
          // The wall clock stepped back: the window ends for good, as holds do, rather than last the step or come
          // back once the clock reaches the XID's time again.
          f.xidLastIncrease.remove(e.getKey());
          continue;
        }
        if (last == null || f.tickMillis - last >= f.appXidWindowMillis) {
          continue;
        }
      }
      long count = Math.round(e.getValue());
      out.add(new HealthReason("xid_" + xid, state, entry.meaning() + " (XID " + xid + ", seen " + count
          + (count == 1 ? " time" : " times") + " since the exporter started)", entry.action().text()));
    }
  }

  static void uncorrectableEcc(Facts f, List<HealthReason> out) {
    double errors = f.faultInput(MetricCatalog.ECC_ERRORS, "uncorrected", "volatile").orElse(0);
    if (errors > 0) {
      out.add(new HealthReason("ecc_uncorrected", HealthState.FAILED, Math.round(errors)
          + " uncorrectable ECC errors since the driver was loaded",
          "drain the device and reset it; replace it if the errors come back"));
    }
  }

  /**
   * A failed remap lasts for the GPU's life and a pending one until a reset, so their last values stand while the
   * reading is absent (remapped rows are not readable while MIG instances exist) until the device comes back from a
   * loss.
   */
  static void rowRemap(Facts f, List<HealthReason> out) {
    if (f.faultInputUntilReset(MetricCatalog.ROW_REMAP_FAILED).orElse(0) > 0) {
      out.add(new HealthReason("row_remap_failed", HealthState.FAILED,
          "a memory row could not be remapped", "replace the GPU (RMA)"));
    }
    if (f.faultInputUntilReset(MetricCatalog.ROW_REMAP_PENDING).orElse(0) > 0) {
      out.add(new HealthReason("row_remap_pending", HealthState.DEGRADED,
          "a memory row remap is pending", "reset the GPU when it is drained, to activate the remap"));
    }
  }

  /**
   * The driver's own verdict on what the GPU needs (NVML's GPU recovery action, R570 and newer). Unlike a reset-class
   * XID it also says when that was done: it goes back to 0 after the reset or reboot.
   */
  static void recoveryAction(Facts f, List<HealthReason> out) {
    OptionalDouble action = f.faultInput(MetricCatalog.RECOVERY_ACTION);
    if (action.isEmpty() || action.getAsDouble() == 0) {
      return;
    }
    long code = Math.round(action.getAsDouble());
    HealthReason reason = switch ((int) code) {
      case 1 -> new HealthReason("recovery_gpu_reset", HealthState.FAILED, "the driver requires a GPU reset",
          "drain the GPU and reset it (nvidia-smi -r)");
      case 2 -> new HealthReason("recovery_node_reboot", HealthState.FAILED, "the driver requires a node reboot",
          "drain the node and reboot it; a GPU reset is not enough");
      case 3 -> new HealthReason("recovery_drain_p2p", HealthState.DEGRADED,
          "the driver requires peer-to-peer (NVLink) traffic to stop before it can say what else the GPU needs",
          "stop the GPU's peer-to-peer work; the driver then reports the action that remains");
      case 4 -> new HealthReason("recovery_drain_and_reset", HealthState.DEGRADED,
          "the GPU runs at reduced capacity (memory or instances taken offline) until it is reset",
          "stop scheduling new work on it, let running work reach a checkpoint, then reset the GPU");
      // 5 and later name different actions in different public copies of nvml.h (a bus reset, an IMEX domain
      // recovery): not guessed at, but each wants something done before the GPU takes work, so it fails closed.
      default -> new HealthReason("recovery_action_" + code, HealthState.FAILED,
          "the driver reports recovery action " + code + ", which this exporter does not know",
          "drain the GPU, then look the action up in nvmlDeviceGpuRecoveryAction_t of this driver's nvml.h");
    };
    out.add(reason);
  }

  static void nvlinkDown(Facts f, List<HealthReason> out) {
    List<String> down = new ArrayList<>();
    boolean anyUp = false;
    for (Reading r : f.all(MetricCatalog.NVLINK_UP)) {
      String link = r.labelValues().get(0);
      if (r.value() > 0) {
        anyUp = true;
        f.linksSeenUp.add(link);
      } else {
        down.add(link);
      }
    }
    // A link that is down while others are up, or that was up before, is down; all links down since the start
    // is a GPU without NVLink peers (a PCIe card without a bridge).
    boolean wasUp = down.stream().anyMatch(f.previous.linksSeenUp()::contains);
    if (!down.isEmpty() && (anyUp || wasUp)) {
      out.add(new HealthReason("nvlink_down", HealthState.DEGRADED, "NVLink link" + (down.size() == 1 ? " " : "s ")
          + String.join(", ", down) + " down", "check the NVLink error counters and Fabric Manager; reset the GPU"));
    }
  }

  static void pcieDegraded(Facts f, List<HealthReason> out) {
    OptionalDouble width = f.value(MetricCatalog.PCIE_LINK_WIDTH);
    OptionalDouble maxWidth = f.value(MetricCatalog.PCIE_LINK_WIDTH_MAX);
    String action = "check the slot, riser and cabling; reseat the device if it persists";
    if (width.isPresent() && maxWidth.isPresent() && width.getAsDouble() < maxWidth.getAsDouble()) {
      out.add(new HealthReason("pcie_width_degraded", HealthState.DEGRADED, String.format(Locale.ROOT,
          "PCIe link x%.0f, below its maximum x%.0f", width.getAsDouble(), maxWidth.getAsDouble()), action));
    }
    OptionalDouble gen = f.value(MetricCatalog.PCIE_LINK_GEN);
    OptionalDouble maxGen = f.value(MetricCatalog.PCIE_LINK_GEN_MAX);
    double utilization = f.value(MetricCatalog.UTILIZATION).orElse(0);
    if (gen.isPresent() && maxGen.isPresent() && gen.getAsDouble() < maxGen.getAsDouble()
        && utilization >= PCIE_GEN_BUSY) {
      out.add(new HealthReason("pcie_gen_degraded", HealthState.DEGRADED, String.format(Locale.ROOT,
          "PCIe gen %.0f while busy, below its maximum gen %.0f", gen.getAsDouble(), maxGen.getAsDouble()), action));
    }
  }

  static void slowdown(Facts f, List<HealthReason> out) {
    Set<String> active = new TreeSet<>();
    for (Reading r : f.all(MetricCatalog.CLOCK_EVENT)) {
      if (r.value() > 0) {
        active.add(r.labelValues().get(0));
      }
    }
    List<String> thermal = new ArrayList<>();
    for (String reason : List.of("hw_thermal_slowdown", "sw_thermal_slowdown")) {
      if (active.contains(reason)) {
        thermal.add(reason);
      }
    }
    if (!thermal.isEmpty()) {
      String temperature = f.value(MetricCatalog.TEMPERATURE).isPresent()
          ? String.format(Locale.ROOT, ", at %.0f C", f.value(MetricCatalog.TEMPERATURE).getAsDouble()) : "";
      out.add(new HealthReason("thermal_slowdown", HealthState.DEGRADED, "clocks slowed down for heat ("
          + String.join(", ", thermal) + temperature + ")", "check cooling: airflow, fans, inlet temperature"));
    }
    boolean powerBrake = active.contains("hw_power_brake_slowdown");
    if (powerBrake) {
      out.add(new HealthReason("power_brake_slowdown", HealthState.DEGRADED,
          "clocks slowed down by the external power brake (hw_power_brake_slowdown)",
          "check the node's power supplies"));
    }
    if (active.contains("hw_slowdown") && thermal.isEmpty() && !powerBrake) {
      out.add(new HealthReason("hw_slowdown", HealthState.DEGRADED, "clocks slowed down by hardware (hw_slowdown)",
          "check cooling and the node's power supplies"));
    }
  }

  static void driverAlarm(Facts f, List<HealthReason> out) {
    OptionalDouble level = f.faultInput(MetricCatalog.DRIVER_ALARM_LEVEL);
    if (level.isEmpty() || level.getAsDouble() == 0) {
      return;
    }
    long l = Math.round(level.getAsDouble());
    String name = l == 1 ? "minor" : l == 2 ? "major" : l == 3 ? "critical" : "unknown";
    HealthState state = l == 1 ? HealthState.DEGRADED : HealthState.FAILED;
    List<String> codes = new ArrayList<>();
    for (Reading r : f.all(MetricCatalog.DRIVER_ERROR_CODE)) {
      codes.add(r.labelValues().get(0));
    }
    out.add(new HealthReason("driver_alarm_" + name, state, "the driver reports a " + name + " alarm (level " + l
        + (codes.isEmpty() ? "" : "; error codes " + String.join(", ", codes)) + ")",
        state == HealthState.DEGRADED ? "check npu-smi info -t health and look the error codes up"
            : "drain the NPU, look the error codes up, and reset it (npu-smi set -t reset) or contact support"));
  }

  static void network(Facts f, List<HealthReason> out) {
    if (f.value(MetricCatalog.NETWORK_HEALTHY).orElse(1) == 0) {
      out.add(new HealthReason("network_unhealthy", HealthState.DEGRADED,
          "the driver's health check of the device's network port fails",
          "check the port with hccn_tool -i <id> -net_health -g, its cable and the switch"));
    }
  }

  private static int parseXid(String label) {
    try {
      return Integer.parseInt(label);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** One device's readings, indexed, with the history the rules read and the one they build for the next tick. */
  static final class Facts {
    final DeviceSnapshot device;
    final DeviceHistory previous;
    final long tickMillis;
    final long appXidWindowMillis;
    final long holdMillis;
    final Map<String, Double> xidCounts;
    final Map<String, Long> xidLastIncrease;
    final Set<String> linksSeenUp;
    final double recoveries;
    final Map<String, Double> xidCountsAtRecovery;
    final int ticksWithoutCoreReadings;
    final int coreKindsSeen;
    private final Map<String, DeviceHistory.Seen> lastFaultInputs;
    private final Map<String, DeviceHistory.Held> held = new HashMap<>();
    private final Map<MetricDefinition, List<Reading>> byMetric = new HashMap<>();

    Facts(DeviceSnapshot device, DeviceHistory previous, long tickMillis, long appXidWindowMillis, long holdMillis) {
      this.device = device;
      this.previous = previous;
      this.tickMillis = tickMillis;
      this.appXidWindowMillis = appXidWindowMillis;
      this.holdMillis = holdMillis;
      for (Reading r : device.readings()) {
        byMetric.computeIfAbsent(r.metric(), k -> new ArrayList<>()).add(r);
      }
      // A lost device whose XIDs were never watched reports no counts; what was seen before still holds.
      this.xidCounts = new TreeMap<>(previous.xidCounts());
      this.xidLastIncrease = new TreeMap<>(previous.xidLastIncreaseMillis());
      for (Reading r : all(MetricCatalog.XID_ERRORS)) {
        String xid = r.labelValues().get(0);
        if (r.value() > xidCounts.getOrDefault(xid, 0.0)) {
          xidLastIncrease.put(xid, tickMillis);
        }
        xidCounts.merge(xid, r.value(), Math::max);
      }
      this.linksSeenUp = new TreeSet<>(previous.linksSeenUp());
      // Back from a loss the driver declared: the GPU was reset (or the node recovered it), which is what the
      // reset-class XIDs seen so far asked for. Only XIDs after this point fail it again. A device that was lost
      // only because its reads were late (a hung driver call, as after XID 119) was not reset, and its counter
      // has not moved.
      this.recoveries = value(MetricCatalog.DEVICE_RECOVERIES).orElse(previous.recoveries());
      boolean recovered = recoveries > previous.recoveries();
      // The counts before this tick: an XID that arrives with the device's return (an init error) came after the
      // reset, and must still count.
      this.xidCountsAtRecovery = recovered ? previous.xidCounts() : previous.xidCountsAtRecovery();
      // Back from lost, the device was reset: what it reported before says nothing about it now.
      this.lastFaultInputs = recovered ? new HashMap<>() : new HashMap<>(previous.lastFaultInputs());
      int coreKinds = (int) CORE.stream().filter(m -> !all(m).isEmpty()).count();
      this.coreKindsSeen = Math.max(coreKinds, previous.coreKindsSeen());
      this.ticksWithoutCoreReadings = device.lost() || coreKinds > 0 ? 0 : previous.ticksWithoutCoreReadings() + 1;
    }

    /**
     * A fault input's reading, or its last one when the read failed this tick: one failed call must not clear a
     * failed verdict for a tick (and restart every alert's {@code for:}). Remembered for the hold
     * ({@link #HOLD_MILLIS}; a call the driver stops supporting is not asked again, and its last value must not
     * stand for good), and forgotten when the device recovers from a loss, which resets it.
     */
    OptionalDouble faultInput(MetricDefinition metric, String... labels) {
      return faultInput(false, metric, labels);
    }

    /** As {@link #faultInput}, but the last value stands however long the reading is absent, until a reset. */
    OptionalDouble faultInputUntilReset(MetricDefinition metric, String... labels) {
      return faultInput(true, metric, labels);
    }

    private OptionalDouble faultInput(boolean untilReset, MetricDefinition metric, String... labels) {
      String key = metric.name() + List.of(labels);
      OptionalDouble now = value(metric, labels);
      if (now.isPresent()) {
        lastFaultInputs.put(key, new DeviceHistory.Seen(now.getAsDouble(), tickMillis));
        return now;
      }
      DeviceHistory.Seen last = lastFaultInputs.get(key);
      if (last == null || !untilReset && !withinHold(last.atMillis())) {
        lastFaultInputs.remove(key);
        return OptionalDouble.empty();
      }
      return device.lost() ? OptionalDouble.empty() : OptionalDouble.of(last.value());
    }

    /** How often the XID was seen since the device last came back from lost (or since the exporter started). */
    double xidsSinceRecovery(String xid) {
      return xidCounts.getOrDefault(xid, 0.0) - xidCountsAtRecovery.getOrDefault(xid, 0.0);
    }

    List<Reading> all(MetricDefinition metric) {
      return byMetric.getOrDefault(metric, List.of());
    }

    /** The reading whose label values are exactly {@code labels}, if the device has it. */
    OptionalDouble value(MetricDefinition metric, String... labels) {
      for (Reading r : all(metric)) {
        if (r.labelValues().equals(List.of(labels))) {
          return OptionalDouble.of(r.value());
        }
      }
      return OptionalDouble.empty();
    }

    /** Adds the {@link #HELD} reasons seen within the hold ({@link #HOLD_MILLIS}) that are clear this tick. */
    void hold(List<HealthReason> reasons) {
      for (HealthReason r : reasons) {
        if (HELD.contains(r.code())) {
          held.put(r.code(), new DeviceHistory.Held(r, tickMillis));
        }
      }
      for (DeviceHistory.Held h : new TreeMap<>(previous.held()).values()) {
        long clearMillis = tickMillis - h.lastSeenMillis();
        if (held.containsKey(h.reason().code()) || !withinHold(h.lastSeenMillis()) || device.lost()) {
          continue;
        }
        held.put(h.reason().code(), h);
        HealthReason seen = h.reason();
        reasons.add(new HealthReason(seen.code(), seen.state(), seen.detail() + "; clear for " + clearMillis / 1000
            + " s, held until " + (holdMillis == HOLD_MILLIS ? "a minute" : holdMillis / 1000 + " s")
            + " clear so that it does not flap", seen.action()));
      }
    }

    /**
     * Whether {@code seenMillis} is less than the hold before this tick. A tick before it (the wall clock stepped
     * back) ends the hold too: it would otherwise last as long as the step.
     */
    private boolean withinHold(long seenMillis) {
      long elapsed = tickMillis - seenMillis;
      return elapsed >= 0 && elapsed < holdMillis;
    }

    DeviceHistory next() {
      return new DeviceHistory(xidCounts, xidLastIncrease, linksSeenUp, recoveries, xidCountsAtRecovery,
          lastFaultInputs, ticksWithoutCoreReadings, coreKindsSeen, held);
    }
  }
}
