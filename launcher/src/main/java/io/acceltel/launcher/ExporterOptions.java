package io.acceltel.launcher;

import io.acceltel.exporter.config.ConfigException;
import io.acceltel.exporter.config.ConfigSource;
import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.exporter.device.DeviceBackends;
import io.acceltel.exporter.exposition.MetricNameViews;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The exporter's command-line flags; each overrides the key of the same name in the YAML file. */
final class ExporterOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path config;

  @Option(names = "--devices", paramLabel = "BACKEND",
      description = "Device backend: nvml, simulated or auto (default nvml; the demo uses auto).")
  String devices;

  @Option(names = "--interval", paramLabel = "DURATION", description = "Collection interval, e.g. 1s (min 100ms).")
  String interval;

  @Option(names = "--listen", paramLabel = "HOST:PORT",
      description = "Address of /metrics (default 127.0.0.1:9835; 0.0.0.0:9835 to serve the network).")
  String listen;

  @Option(names = "--names", paramLabel = "VIEW", description = "Metric names: native or dcgm.")
  String names;

  @Option(names = "--node", paramLabel = "NAME", description = "Node label (default $NODE_NAME, else host name).")
  String node;

  @Option(names = "--nvml-library", paramLabel = "PATH", description = "Path of libnvidia-ml.so.1.")
  String nvmlLibrary;

  @Option(names = "--simulated-devices", paramLabel = "N", description = "Number of simulated devices.")
  String simulatedDevices;

  @Option(names = "--simulated-model", paramLabel = "NAME", description = "Model of the simulated devices.")
  String simulatedModel;

  ExporterConfig resolve(String defaultDevices) throws ConfigException {
    ConfigSource source = new ConfigSource();
    if (defaultDevices != null) {
      source.put("devices", defaultDevices, "default");
    }
    if (config != null) {
      source.putYaml(config);
    }
    source.put("devices", devices, "--devices")
        .put("interval", interval, "--interval")
        .put("listen", listen, "--listen")
        .put("names", names, "--names")
        .put("node", node, "--node")
        .put("nvml.library", nvmlLibrary, "--nvml-library")
        .put("simulated.devices", simulatedDevices, "--simulated-devices")
        .put("simulated.model", simulatedModel, "--simulated-model");
    return ExporterConfig.parse(source, DeviceBackends.discover().names(), MetricNameViews.discover().names());
  }
}
