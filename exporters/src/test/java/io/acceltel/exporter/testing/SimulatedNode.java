package io.acceltel.exporter.testing;

import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.exporter.device.DeviceBackends;
import io.acceltel.exporter.exposition.MetricNameViews;
import io.acceltel.model.config.ConfigException;
import io.acceltel.model.config.ConfigSource;

/** The configuration of an exporter on a simulated node for end-to-end tests: fast ticks, an ephemeral port. */
public final class SimulatedNode {
  private SimulatedNode() {}

  /** Simulated devices on a 100 ms tick, listening on an ephemeral loopback port; add keys to it. */
  public static ConfigSource source(String node, int devices) {
    return new ConfigSource()
        .put("devices", "simulated", "test")
        .put("simulated.devices", Integer.toString(devices), "test")
        .put("node", node, "test")
        .put("interval", "100ms", "test")
        .put("listen", "127.0.0.1:0", "test");
  }

  /** Parses it as the launcher does, against every backend and name view on the class path. */
  public static ExporterConfig config(ConfigSource source) throws ConfigException {
    return ExporterConfig.parse(source, DeviceBackends.discover().names(), MetricNameViews.discover().names());
  }
}
