package io.acceltel.launcher;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code acceltel aggregator}: consumes a static set of Kafka partitions into second-level storage. */
@Command(name = "aggregator", mixinStandardHelpOptions = true,
    description = "Consume exporter ticks from Kafka (and remote_write) into second-level storage with tiers.")
final class AggregatorCommand implements Callable<Integer> {
  @Option(names = "--kafka", paramLabel = "HOST:PORT,...", description = "Kafka bootstrap servers; omit to run on "
      + "remote_write alone.")
  String kafka;

  @Option(names = "--topic", paramLabel = "TOPIC", description = "Topic of the ticks (default acceltel.metrics.v1).")
  String topic = "acceltel.metrics.v1";

  @Option(names = "--partitions", paramLabel = "P,P,...", split = ",",
      description = "This aggregator's static partition set (default 0,1,2,3).")
  List<Integer> partitions = new ArrayList<>(List.of(0, 1, 2, 3));

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Storage directory (default data/aggregator).")
  Path dataDir = Path.of("data", "aggregator");

  @Option(names = "--listen", paramLabel = "HOST:PORT", description = "HTTP listener (default 127.0.0.1:9836).")
  String listen = "127.0.0.1:" + AggregatorSettings.DEFAULT_PORT;

  @Option(names = "--checkpoint-every", paramLabel = "SECONDS",
      description = "Seconds between checkpoints of storage and Kafka offsets (default 10).")
  int checkpointSeconds = 10;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    AggregatorSettings settings;
    try {
      settings = settings();
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("acceltel aggregator: " + e.getMessage());
      return Acceltel.EXIT_CONFIG;
    }
    Aggregator aggregator;
    try {
      aggregator = Aggregator.start(settings);
    } catch (IOException e) {
      spec.commandLine().getErr().println("acceltel aggregator: " + e.getMessage());
      return Acceltel.EXIT_UNAVAILABLE;
    }
    System.out.println("acceltel aggregator: " + aggregator.url() + " (remote_write at /api/v1/write), data in "
        + dataDir + (kafka == null ? "" : ", consuming " + topic + " partitions " + partitions + " from " + kafka));
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

  AggregatorSettings settings() {
    int colon = listen.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("invalid configuration: listen = '" + listen + "': expected host:port");
    }
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid configuration: listen = '" + listen + "': the port is not a number");
    }
    if (partitions.isEmpty() || partitions.stream().anyMatch(p -> p < 0)) {
      throw new IllegalArgumentException("invalid configuration: partitions = '" + partitions
          + "': a comma-separated list of partition numbers, 0 or more");
    }
    if (checkpointSeconds < 1) {
      throw new IllegalArgumentException("invalid configuration: checkpoint-every = '" + checkpointSeconds
          + "': at least 1 second");
    }
    return AggregatorSettings.defaults(dataDir, Optional.ofNullable(kafka))
        .withTopic(topic)
        .withPartitions(List.copyOf(partitions))
        .withListen(listen.substring(0, colon), port)
        .withCheckpointEvery(Duration.ofSeconds(checkpointSeconds));
  }
}
