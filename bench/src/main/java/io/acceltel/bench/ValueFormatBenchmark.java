package io.acceltel.bench;

import io.acceltel.promql.value.GoFloat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Writing sample values as Prometheus does (Go's shortest decimal): {@link GoFloat} against Java 17's
 * {@code Double.toString}, the step the API used before it. {@code rates} are like an energy counter's rate summed
 * per node (16 or 17 significant digits); {@code readings} are averages of integer gauges (a few digits).
 *
 * <pre>{@code
 * java -jar bench/target/benchmarks.jar ValueFormatBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class ValueFormatBenchmark {
  private static final int VALUES = 4096;

  @Param({"rates", "readings"})
  public String kind;

  private final double[] values = new double[VALUES];
  private final byte[] buf = new byte[GoFloat.MAX_LENGTH_F];

  @Setup
  public void generate() {
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < VALUES; i++) {
      values[i] = kind.equals("rates")
          ? (690_000 + random.nextInt(8000)) * 8 / 60.0 * (1 + random.nextDouble() / 1000)
          : random.nextInt(101 * 8) / 8.0;
    }
  }

  @Benchmark
  @OperationsPerInvocation(VALUES)
  public int goFloat() {
    int n = 0;
    for (double v : values) {
      n += GoFloat.write(buf, 0, v, 'f');
    }
    return n;
  }

  @Benchmark
  @OperationsPerInvocation(VALUES)
  public void javaDoubleToString(Blackhole bh) {
    for (double v : values) {
      bh.consume(Double.toString(v));
    }
  }
}
