package io.acceltel.bench;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.kafka.KafkaSink;
import io.acceltel.exporter.kafka.KafkaSinkSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.kafka.EmbeddedKafka;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How fast an exporter drains a spooled backlog once Kafka is back: {@code ticks} ticks of one simulated 8-GPU
 * node are taken while no broker listens (they go to the on-disk spool), the sink is stopped, Apache Kafka's own
 * broker is started on that port, and a new sink on the same spool is timed until every tick is acknowledged.
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar io.acceltel.bench.SpoolDrainThroughput 3600
 * }</pre>
 */
public final class SpoolDrainThroughput {
  private SpoolDrainThroughput() {}

  public static void main(String[] args) throws Exception {
    int ticks = args.length > 0 ? Integer.parseInt(args[0]) : 3600;
    Path dir = Files.createTempDirectory("acceltel-spool-drain");
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    KafkaSinkSettings settings = KafkaSinkSettings.of("127.0.0.1:" + port).withBufferTicks(10)
        .withSendTimeout(Duration.ofSeconds(2)).withSpool(dir.resolve("spool"), 1L << 30);
    long t0 = System.currentTimeMillis() - ticks * 1000L;
    try (SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(8, "NVIDIA H100 80GB HBM3", 1));
        CollectionLoop loop = CollectionLoop.builder("gpu-node-0", backend.devices()).build();
        KafkaSink offline = KafkaSink.start(settings, new PrometheusRegistry())) {
      for (int t = 0; t < ticks; t++) {
        offline.onSnapshot(loop.tick(t0 + t * 1000L));
      }
      System.out.printf("%d ticks held (%d in the spool)%n", offline.buffered(), offline.spooled());
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka")).withPort(port))) {
      long start = System.nanoTime();
      try (KafkaSink online = KafkaSink.start(settings, new PrometheusRegistry())) {
        boolean drained = online.flush(Duration.ofMinutes(30));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("drained=%s in %.2f s: %.0f ticks/s (%d dropped)%n", drained, seconds, ticks / seconds,
            online.droppedTicks());
      }
    }
  }
}
