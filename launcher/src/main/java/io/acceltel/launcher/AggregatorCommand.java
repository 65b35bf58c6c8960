package io.acceltel.launcher;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.config.AggregatorConfig;
import io.acceltel.model.config.ConfigException;
import io.acceltel.model.config.ConfigSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code acceltel aggregator}: consumes a static set of Kafka partitions into second-level storage. */
@Command(name = "aggregator", mixinStandardHelpOptions = true,
    description = "Consume exporter ticks from Kafka (and remote_write) into second-level storage with tiers, and "
        + "answer PromQL.")
final class AggregatorCommand implements Callable<Integer> {
  /** Of the aggregator's environment variables; the exporter's ({@code ACCELTEL_}) leave these to it. */
  static final String ENVIRONMENT_PREFIX = "ACCELTEL_AGGREGATOR_";

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path config;

  @Option(names = "--kafka", paramLabel = "HOST:PORT,...",
      description = "Kafka bootstrap servers; omit to run on remote_write alone.")
  String kafka;

  @Option(names = "--topic", paramLabel = "TOPIC", description = "Topic of the ticks (default acceltel.metrics.v1).")
  String topic;

  @Option(names = "--partitions", paramLabel = "P,P,...",
      description = "This aggregator's static partition set (default 0,1,2,3).")
  String partitions;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Storage directory (default data/aggregator).")
  String dataDir;

  @Option(names = "--listen", paramLabel = "HOST:PORT", description = "HTTP listener (default 127.0.0.1:9836).")
  String listen;

  @Mixin
  ListenerTlsOptions tls = new ListenerTlsOptions();

  @Option(names = "--checkpoint-every", paramLabel = "DURATION",
      description = "Time between checkpoints of storage and Kafka offsets (default 10s).")
  String checkpointEvery;

  @Option(names = "--max-series", paramLabel = "N", description = "Series the head may hold; samples of new series "
      + "beyond it are dropped and counted (default one per 16 KiB of heap).")
  String maxSeries;

  @Option(names = "--rules", paramLabel = "FILE", description = "YAML file of streaming aggregation rules.")
  String rules;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    AggregatorConfig parsed;
    try {
      parsed = AggregatorConfig.parse(source());
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("acceltel aggregator: " + e.getMessage());
      return Acceltel.EXIT_CONFIG;
    }
    Aggregator aggregator;
    try {
      aggregator = Aggregator.start(parsed.settings(), parsed.rules());
    } catch (IOException e) {
      spec.commandLine().getErr().println("acceltel aggregator: " + e.getMessage());
      return Acceltel.EXIT_UNAVAILABLE;
    }
    var settings = parsed.settings();
    System.out.println("acceltel aggregator: " + aggregator.url() + " (Prometheus API at /api/v1/, remote_write at "
        + "/api/v1/write" + settings.listenTls().map(tls -> "; " + tls).orElse("") + "), data in "
        + settings.dataDir() + settings.kafka().map(k -> ", consuming " + settings.topic() + " partitions "
        + settings.partitions() + " from " + k + " (" + settings.kafkaSecurity() + ")").orElse("")
        + (parsed.rules().isEmpty() ? "" : ", " + parsed.rules().size() + " aggregation rules"));
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      aggregator.close();
      stopped.countDown();
    }, "acceltel-aggregator-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private ConfigSource source() throws ConfigException {
    ConfigSource source = new ConfigSource();
    if (config != null) {
      source.putYaml(config);
    }
    LauncherEnvironment.putInto(source, System.getenv(), ENVIRONMENT_PREFIX, AggregatorConfig.keys(), name -> false);
    return tls.putInto(source).put("kafka.bootstrap", kafka, "--kafka")
        .put("kafka.topic", topic, "--topic")
        .put("kafka.partitions", partitions, "--partitions")
        .put("data-dir", dataDir, "--data-dir")
        .put("listen", listen, "--listen")
        .put("checkpoint-every", checkpointEvery, "--checkpoint-every")
        .put("max-series", maxSeries, "--max-series")
        .put("rules", rules, "--rules");
  }
}
