package io.acceltel.bench;

import com.github.luben.zstd.Zstd;
import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.model.otlp.OtlpEncoder;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Chooses the Kafka compression of the exporter's payload: one tick of 8 simulated H100s as the exporter encodes
 * it (one record per batch, since the sink sends each tick as soon as it is ready), compressed with zstd at Kafka's
 * default level 3 and with lz4 as Kafka does. The {@code compressedBytes} counter divided by the operation count is
 * the size of one compressed tick.
 *
 * <pre>{@code
 * java -jar bench/target/benchmarks.jar PayloadCompressionBenchmark
 * }</pre>
 */
public class PayloadCompressionBenchmark extends MicrosecondBenchmark {
  @Param({"zstd", "lz4"})
  public String codec;

  private byte[] payload;
  private final LZ4Compressor lz4 = LZ4Factory.fastestInstance().fastCompressor();

  /** Bytes out, summed over operations; JMH reports it per second, so divide by ops/s for bytes per tick. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Sizes {
    public long compressedBytes;
    public long rawBytes;
  }

  @Setup(Level.Trial)
  public void encode() {
    try (SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(8, "NVIDIA H100 80GB HBM3", 3));
        CollectionLoop loop = CollectionLoop.builder("gpu-node-1", backend.devices()).build()) {
      loop.tick(1_795_349_048_000L);
      payload = new OtlpEncoder("bench").encode(loop.tick(1_795_349_049_000L));
    }
  }

  @Benchmark
  public int compress(Sizes sizes) {
    byte[] out = "zstd".equals(codec) ? Zstd.compress(payload, 3) : lz4.compress(payload);
    sizes.compressedBytes += out.length;
    sizes.rawBytes += payload.length;
    return out.length;
  }
}
