package io.acceltel.launcher;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.aggregator.AggregatorSettings;
import io.acceltel.aggregator.rules.AggregationRules;
import io.acceltel.kafka.EmbeddedKafka;
import io.acceltel.exporter.config.ExporterConfig;
import io.acceltel.model.config.ConfigException;
import io.acceltel.model.config.ConfigValues;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code acceltel demo}: the whole pipeline on one machine with embedded defaults: Apache Kafka's broker, the
 * exporter streaming every tick to it, and the aggregator consuming it. The exporter reads real GPUs when a driver
 * is present, otherwise simulated devices, and says which on start.
 *
 * <p>The exporter starts first, so /metrics is up within seconds; the broker and the aggregator start beside it and
 * the exporter's Kafka buffer holds the first ticks until the broker answers.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the pipeline locally: Kafka broker, exporter (real GPUs if present, else simulated), "
        + "aggregator.")
final class DemoCommand implements Callable<Integer> {
  @Mixin
  ExporterOptions options = new ExporterOptions();

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the demo keeps its data (default data/demo).")
  Path dataDir = Path.of("data", "demo");

  @Option(names = "--aggregator-port", paramLabel = "PORT", description = "Aggregator HTTP port (default 9836).")
  int aggregatorPort = AggregatorSettings.DEFAULT_PORT;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      ConfigValues.integer("--aggregator-port", Integer.toString(aggregatorPort), 0, 65535);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("acceltel demo: " + e.getMessage());
      return Acceltel.EXIT_CONFIG;
    }
    int kafkaPort = freePort();
    String bootstrap = "127.0.0.1:" + kafkaPort;
    if (options.kafka == null) {
      options.kafka = bootstrap;
    }
    ExporterConfig config;
    try {
      config = options.resolve("auto"); // before the broker and the aggregator start: a mistake exits at once
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("acceltel demo: " + e.getMessage());
      return Acceltel.EXIT_CONFIG;
    }
    // Closed after the exporter, newest first: the aggregator before the broker it reads from.
    List<AutoCloseable> upstream = new CopyOnWriteArrayList<>();
    AtomicBoolean stopping = new AtomicBoolean();
    Thread pipeline = new Thread(() -> {
      EmbeddedKafka kafka;
      try {
        kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dataDir.resolve("kafka")).withPort(kafkaPort));
      } catch (RuntimeException e) {
        // One line, not a stack trace on a thread nobody waits for; the exporter keeps serving /metrics.
        spec.commandLine().getErr().println("acceltel demo: the Kafka broker did not start (" + e.getMessage()
            + "); the exporter runs without it. Is another demo using " + dataDir + "? (choose another with "
            + "--data-dir)");
        return;
      }
      upstream.add(0, kafka);
      if (stopping.get()) {
        return; // the exporter did not start, or the demo is stopping: nothing to announce or start
      }
      announce(out, "kafka: Apache Kafka broker (embedded, KRaft) at " + kafka.bootstrapServers());
      try {
        Aggregator aggregator = Aggregator.start(AggregatorSettings.defaults(dataDir.resolve("aggregator"),
            Optional.of(kafka.bootstrapServers())).withListen("127.0.0.1", aggregatorPort),
            AggregationRules.demoDefaults());
        upstream.add(0, aggregator);
        if (stopping.get()) {
          return;
        }
        announce(out, "aggregator: " + aggregator.url() + " is a Prometheus-compatible URL (add it to Grafana as a "
            + "Prometheus data source); remote_write at /api/v1/write");
      } catch (IOException | RuntimeException e) {
        spec.commandLine().getErr().println("acceltel demo: the aggregator did not start: " + e.getMessage()
            + " (choose another port with --aggregator-port, another directory with --data-dir)");
      }
    }, "acceltel-demo-pipeline");
    pipeline.setDaemon(true);
    pipeline.start();
    // A stop while the broker or the aggregator is still starting waits for them, so that both are closed (the
    // aggregator's last checkpoint written) rather than left to the JVM's exit.
    AutoCloseable whenStarted = () -> {
      stopping.set(true);
      pipeline.join(TimeUnit.SECONDS.toMillis(60));
      ExporterCommand.closeAll(upstream);
    };
    return ExporterCommand.runExporter(spec, config, "demo", List.of(whenStarted));
  }

  private static void announce(PrintWriter out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
