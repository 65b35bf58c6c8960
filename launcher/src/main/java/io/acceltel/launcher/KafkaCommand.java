package io.acceltel.launcher;

import io.acceltel.kafka.EmbeddedKafka;
import io.acceltel.model.config.ConfigException;
import io.acceltel.model.config.ConfigValues;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code acceltel kafka}: Apache Kafka's own KRaft broker, one node, on loopback: the embedded default. */
@Command(name = "kafka", mixinStandardHelpOptions = true,
    description = "Run Apache Kafka's KRaft broker (one node) for local use; production uses a real cluster.")
final class KafkaCommand implements Callable<Integer> {
  @Option(names = "--data-dir", paramLabel = "DIR", description = "Broker data directory (default data/kafka).")
  Path dataDir = Path.of("data", "kafka");

  @Option(names = "--host", paramLabel = "HOST", description = "Address to bind (default 127.0.0.1).")
  String host = "127.0.0.1";

  @Option(names = "--port", paramLabel = "PORT", description = "Client port (default 9092).")
  int port = 9092;

  @Option(names = "--partitions", paramLabel = "N", description = "Partitions of new topics (default 4).")
  int partitions = 4;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    try {
      ConfigValues.integer("--port", Integer.toString(port), 0, 65535);
      ConfigValues.integer("--partitions", Integer.toString(partitions), 1, 10_000);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("acceltel kafka: " + e.getMessage());
      return Acceltel.EXIT_CONFIG;
    }
    if (port != 0) {
      // Checked first: the broker reports a taken port only through its own log, as stack traces.
      try (ServerSocket probe = new ServerSocket()) {
        probe.setReuseAddress(true);
        probe.bind(new InetSocketAddress(host, port));
      } catch (IOException e) {
        spec.commandLine().getErr().println("acceltel kafka: cannot listen on " + host + ":" + port + " ("
            + e.getMessage() + "): is a broker already running there? Choose another port with --port");
        return Acceltel.EXIT_UNAVAILABLE;
      }
    }
    EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dataDir).withHost(host).withPort(port)
        .withPartitions(partitions));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      kafka.close();
      stopped.countDown();
    }, "acceltel-kafka-shutdown"));
    System.out.println("acceltel kafka: Apache Kafka broker at " + kafka.bootstrapServers() + ", data in " + dataDir);
    stopped.await();
    return 0;
  }
}
