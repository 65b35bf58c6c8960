package io.acceltel.launcher;

import io.acceltel.model.config.ConfigException;
import io.acceltel.model.config.ConfigSource;
import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.exporter.device.DeviceBackends;
import io.acceltel.exporter.exposition.MetricNameViews;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The exporter's command-line flags; each overrides the key of the same name in the YAML file. */
final class ExporterOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path config;

  @Option(names = "--devices", paramLabel = "BACKEND",
      description = "Device backend: nvml, dcmi, simulated or auto (default nvml; the demo uses auto).")
  String devices;

  @Option(names = "--interval", paramLabel = "DURATION", description = "Collection interval, e.g. 1s (min 100ms).")
  String interval;

  @Option(names = "--listen", paramLabel = "HOST:PORT",
      description = "Address of /metrics (default 127.0.0.1:9835; 0.0.0.0:9835 to serve the network).")
  String listen;

  @Mixin
  ListenerTlsOptions tls = new ListenerTlsOptions();

  @Option(names = "--names", paramLabel = "VIEW", description = "Metric names: native, dcgm or npu-exporter.")
  String names;

  @Option(names = "--exclude-metrics", paramLabel = "PATTERN,...",
      description = "Device metrics left out of /metrics and Kafka, e.g. accelerator_nvlink_*,accelerator_process_*.")
  String excludeMetrics;

  @Option(names = "--node", paramLabel = "NAME", description = "Node label (default $NODE_NAME, else host name).")
  String node;

  @Option(names = "--nvml-library", paramLabel = "PATH", description = "Path of libnvidia-ml.so.1.")
  String nvmlLibrary;

  @Option(names = "--dcmi-library", paramLabel = "PATH", description = "Path of Huawei's libdcmi.so (Ascend).")
  String dcmiLibrary;

  @Option(names = "--kafka", paramLabel = "HOST:PORT,...",
      description = "Stream every tick to this Kafka cluster (topic acceltel.metrics.v1).")
  String kafka;

  @Option(names = "--simulated-devices", paramLabel = "N", description = "Number of simulated devices.")
  String simulatedDevices;

  @Option(names = "--simulated-model", paramLabel = "NAME", description = "Model of the simulated devices.")
  String simulatedModel;

  @Option(names = "--attribution", paramLabel = "auto|true|false",
      description = "Attribute devices to pods, jobs, tenants (default auto: on in Kubernetes and when simulated).")
  String attribution;

  @Option(names = "--kubelet-socket", paramLabel = "PATH",
      description = "Kubelet PodResources socket (default /var/lib/kubelet/pod-resources/kubelet.sock).")
  String kubeletSocket;

  @Option(names = "--pod-labels", paramLabel = "KEY=LABEL,...",
      description = "Pod labels copied into metric labels, e.g. tenant.id=tenant_id,volcano.sh/job-name=job_name.")
  String podLabels;

  ExporterConfig resolve(String defaultDevices) throws ConfigException {
    ConfigSource source = ExporterConfig.source();
    if (defaultDevices != null) {
      source.put("devices", defaultDevices, "default");
    }
    if (config != null) {
      source.putYaml(config);
    }
    // Environment variables override the file (a DaemonSet sets them from the pod spec); flags override both.
    LauncherEnvironment.putInto(source, System.getenv(), "ACCELTEL_", ExporterConfig.keys(),
        name -> name.startsWith(AggregatorCommand.ENVIRONMENT_PREFIX));
    tls.putInto(source).put("devices", devices, "--devices")
        .put("interval", interval, "--interval")
        .put("listen", listen, "--listen")
        .put("names", names, "--names")
        .put("metrics.exclude", excludeMetrics, "--exclude-metrics")
        .put("node", node, "--node")
        .put("nvml.library", nvmlLibrary, "--nvml-library")
        .put("dcmi.library", dcmiLibrary, "--dcmi-library")
        .put("kafka.bootstrap", kafka, "--kafka")
        .put("simulated.devices", simulatedDevices, "--simulated-devices")
        .put("simulated.model", simulatedModel, "--simulated-model")
        .put("attribution.enabled", attribution, "--attribution")
        .put("attribution.kubelet-socket", kubeletSocket, "--kubelet-socket")
        .put("attribution.pod-labels", podLabels, "--pod-labels");
    return ExporterConfig.parse(source, DeviceBackends.discover().names(), MetricNameViews.discover().names());
  }
}
