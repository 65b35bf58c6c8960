package io.acceltel.bench;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.kafka.KafkaSink;
import io.acceltel.exporter.kafka.KafkaSinkSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.kafka.EmbeddedKafka;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How fast an exporter drains a backlog once Kafka is back. {@code ticks} ticks of one simulated 8-GPU node are
 * taken while no broker listens, then Apache Kafka's own broker is started on that port and the drain is timed until
 * every tick is acknowledged.
 *
 * <ul>
 *   <li>{@code spool}: the ticks go to the on-disk spool, the sink is stopped, and a new sink on the same spool is
 *       timed from its start.
 *   <li>{@code memory}: the ticks wait in memory (no spool) in a sink that keeps running; the time runs from the
 *       first acknowledgement, so the producer's reconnect backoff is left out.
 * </ul>
 *
 * <p>A third argument, a round trip in milliseconds, puts the broker that far away: the sink reaches it through a
 * {@link DelayingRelay}, which the broker names as its address.
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar io.acceltel.bench.SpoolDrainThroughput 3600 spool
 * java -cp bench/target/benchmarks.jar io.acceltel.bench.SpoolDrainThroughput 600 memory 20
 * }</pre>
 */
public final class SpoolDrainThroughput {
  private SpoolDrainThroughput() {}

  public static void main(String[] args) throws Exception {
    int ticks = args.length > 0 ? Integer.parseInt(args[0]) : 3600;
    boolean memory = args.length > 1 && args[1].equals("memory");
    long roundTripMillis = args.length > 2 ? Long.parseLong(args[2]) : 0;
    Path dir = Files.createTempDirectory("acceltel-backlog-drain");
    int port = freePort();
    int brokerPort = roundTripMillis > 0 ? freePort() : port;
    KafkaSinkSettings offline = KafkaSinkSettings.of("127.0.0.1:" + port).withSendTimeout(Duration.ofSeconds(2));
    KafkaSinkSettings settings = memory ? offline.withBufferTicks(ticks)
        : offline.withBufferTicks(10).withSpool(dir.resolve("spool"), 1L << 30);
    long t0 = System.currentTimeMillis() - ticks * 1000L;
    try (SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(8, "NVIDIA H100 80GB HBM3", 1));
        CollectionLoop loop = CollectionLoop.builder("gpu-node-0", backend.devices()).build();
        KafkaSink held = KafkaSink.start(settings, new PrometheusRegistry())) {
      for (int t = 0; t < ticks; t++) {
        held.onSnapshot(loop.tick(t0 + t * 1000L));
      }
      System.out.printf("%d ticks held (%d in the spool)%n", held.buffered(), held.spooled());
      if (memory) {
        try (Broker broker = Broker.start(dir, port, brokerPort, roundTripMillis)) {
          long deadline = System.nanoTime() + 300_000_000_000L;
          long initially = held.buffered();
          while (held.buffered() == initially) { // the first acknowledgement starts the clock
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("no tick acknowledged within 5 minutes of the broker's start");
            }
            Thread.onSpinWait();
          }
          long left = held.buffered();
          report(held, left, System.nanoTime());
        }
        return;
      }
    }
    try (Broker broker = Broker.start(dir, port, brokerPort, roundTripMillis)) {
      long start = System.nanoTime();
      try (KafkaSink online = KafkaSink.start(settings, new PrometheusRegistry())) {
        report(online, ticks, start);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Apache Kafka's own broker, reached at {@code port}: directly, or through a relay with that round trip. */
  private record Broker(EmbeddedKafka kafka, DelayingRelay relay) implements AutoCloseable {
    static Broker start(Path dir, int port, int brokerPort, long roundTripMillis) throws IOException {
      EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Settings.of(dir.resolve("kafka")).withPort(brokerPort)
          .withAdvertisedPort(port));
      try {
        return new Broker(kafka, roundTripMillis > 0 ? new DelayingRelay(port, brokerPort, roundTripMillis) : null);
      } catch (IOException | RuntimeException e) {
        kafka.close();
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      if (relay != null) {
        relay.close();
      }
      kafka.close();
    }
  }

  private static void report(KafkaSink sink, long ticks, long startNanos) throws InterruptedException {
    boolean drained = sink.flush(Duration.ofMinutes(30));
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    System.out.printf("drained=%s: %d ticks in %.2f s, %.0f ticks/s (%d dropped)%n", drained, ticks, seconds,
        ticks / seconds, sink.droppedTicks());
  }
}
