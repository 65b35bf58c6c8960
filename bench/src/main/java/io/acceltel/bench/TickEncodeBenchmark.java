package io.acceltel.bench;

import io.acceltel.exporter.attribution.AttributionSettings;
import io.acceltel.exporter.attribution.SimulatedAttribution;
import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.model.otlp.OtlpEncoder;
import io.acceltel.model.snapshot.NodeSnapshot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * What the Kafka sink spends on the tick thread to encode one tick of 8 simulated H100s with their (simulated) pod
 * labels: a tick on its own, and a tick of the node's stream, which also compares the tick's series with the
 * previous tick's to mark the vanished ones stale (here none vanish: the steady state).
 *
 * <pre>{@code
 * java -jar bench/target/benchmarks.jar TickEncodeBenchmark
 * }</pre>
 */
public class TickEncodeBenchmark extends MicrosecondBenchmark {
  private final NodeSnapshot[] ticks = new NodeSnapshot[2];
  private final OtlpEncoder encoder = new OtlpEncoder("bench");
  private final OtlpEncoder.Stream stream = encoder.stream();
  private int next;

  @Setup(Level.Trial)
  public void tick() {
    try (SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(8, "NVIDIA H100 80GB HBM3", 3));
        CollectionLoop loop = CollectionLoop.builder("gpu-node-1", backend.devices())
            .attributor(SimulatedAttribution.of(backend.devices(), AttributionSettings.DEFAULT)).build()) {
      loop.tick(1_795_349_047_000L);
      ticks[0] = loop.tick(1_795_349_048_000L);
      ticks[1] = loop.tick(1_795_349_049_000L);
    }
  }

  @Benchmark
  public byte[] singleTick() {
    return encoder.encode(ticks[next++ & 1]);
  }

  @Benchmark
  public byte[] streamTick() {
    return stream.encode(ticks[next++ & 1]);
  }
}
