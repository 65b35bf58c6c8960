package io.acceltel.exporter.health;

import io.acceltel.exporter.collect.SnapshotListener;
import io.acceltel.exporter.exposition.NativeNameView;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Reading;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Evaluates {@link HealthRules} for every device at every tick, off the scrape path, and publishes the result two
 * ways: the {@code accelerator_health_state} and {@code accelerator_health_reason_active} metrics (always under
 * acceltel's own names and labels, whatever {@code --names} view serves the rest) and the {@link NodeHealth}
 * behind {@code /health/devices}.
 *
 * <pre>{@code
 * HealthMonitor health = new HealthMonitor(HealthRules.DEFAULT_APP_XID_WINDOW, interval, backend.devicesLeftOut());
 * registry.register(health);
 * loopBuilder.listener(health);
 * health.latest().map(NodeHealth::status); // Optional[FAILED]
 * }</pre>
 *
 * <p>{@link #onSnapshot} runs on the loop's thread, which alone owns the per-device history; readers see one
 * immutable publication through a volatile field.
 */
public final class HealthMonitor implements SnapshotListener, MultiCollector {
  private final Duration appXidWindow;
  private final Duration interval;
  private volatile List<HealthReason> nodeReasons;
  private final NativeNameView names = new NativeNameView();
  /** Per device UUID; only the loop's thread touches it. */
  private final Map<String, DeviceHistory> history = new HashMap<>();
  /** The last verdict per device UUID; only the loop's thread touches it. */
  private final Map<String, DeviceHealth> lastHealth = new HashMap<>();
  private volatile Published current;

  /**
   * @param interval the collection interval
   * @param devicesLeftOut devices the backend found but could not open ({@code DeviceBackend.devicesLeftOut})
   */
  public HealthMonitor(Duration appXidWindow, Duration interval, int devicesLeftOut) {
    this.appXidWindow = appXidWindow;
    this.interval = interval;
    this.nodeReasons = NodeHealth.nodeReasons(devicesLeftOut);
  }

  /** The backend's count of devices left out changed (one opened late): the verdict of the next tick follows it. */
  public void devicesLeftOut(int devicesLeftOut) {
    this.nodeReasons = NodeHealth.nodeReasons(devicesLeftOut);
  }

  @Override
  public void onSnapshot(NodeSnapshot snapshot) {
    List<DeviceHealth> devices = new ArrayList<>(snapshot.devices().size());
    List<DeviceSnapshot> readings = new ArrayList<>(snapshot.devices().size());
    for (DeviceSnapshot device : snapshot.devices()) {
      String uuid = device.identity().uuid();
      DeviceHealth health = lastHealth.get(uuid);
      if (!device.unread() || health == null) {
        // A read that was merely late says nothing new: the device keeps its last verdict for that tick.
        HealthRules.Evaluation e = HealthRules.evaluate(device, history.getOrDefault(uuid, DeviceHistory.EMPTY),
            snapshot.timestampMillis(), appXidWindow, interval);
        history.put(uuid, e.history());
        health = e.health();
        lastHealth.put(uuid, health);
      }
      devices.add(health);
      readings.add(device.withReadings(readings(health), device.attribution()));
    }
    NodeHealth health = NodeHealth.of(snapshot.node(), snapshot.timestampMillis(), nodeReasons, devices);
    MetricSnapshots metrics = names.render(new NodeSnapshot(snapshot.node(), snapshot.timestampMillis(), readings));
    current = new Published(health, metrics);
  }

  /** The health of the last tick, once one has completed. */
  public Optional<NodeHealth> latest() {
    Published p = current;
    return p == null ? Optional.empty() : Optional.of(p.health());
  }

  @Override
  public MetricSnapshots collect() {
    Published p = current;
    return p == null ? new MetricSnapshots() : p.metrics();
  }

  /** One series per state (1 for the current one), and one per reason. */
  private static List<Reading> readings(DeviceHealth health) {
    List<Reading> out = new ArrayList<>(3 + health.reasons().size());
    for (HealthState state : HealthState.values()) {
      out.add(new Reading(MetricCatalog.HEALTH_STATE, List.of(state.label()), state == health.state() ? 1 : 0));
    }
    for (HealthReason reason : health.reasons()) {
      out.add(new Reading(MetricCatalog.HEALTH_REASON, List.of(reason.code(), reason.state().label()), 1));
    }
    return out;
  }

  private record Published(NodeHealth health, MetricSnapshots metrics) {}
}
