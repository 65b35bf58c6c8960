package io.acceltel.bench;

import java.util.Random;

/**
 * Deterministic 1 s values shaped like a GPU exporter's series, modelled on the real H100 trace in
 * {@code shared/data/h100-trace}: utilization that sits at 0 or ~100 with phase changes, power in watts with
 * milliwatt noise, slowly drifting integer temperatures, stepwise clocks, memory in bytes, monotonically increasing
 * energy and byte counters, and a long tail of near-constant series (limits, ECC counters, throttle reasons,
 * pstate) that make up most of a GPU's ~60 series. Used by the storage benchmarks.
 *
 * <pre>{@code
 * GpuSeriesGenerator g = new GpuSeriesGenerator(seriesIndex, seed);
 * double v = g.next();   // the value for the next second
 * }</pre>
 */
public final class GpuSeriesGenerator {
  /** The shapes, in the order series of one GPU cycle through them (the tail repeats the constant-ish kinds). */
  public enum Kind {
    UTIL, POWER, TEMP, TEMP_MEM, CLOCK_SM, CLOCK_MEM, MEM_USED, ENERGY_COUNTER, PCIE_COUNTER, CONSTANT, SLOW_COUNTER
  }

  private static final Kind[] LAYOUT = layout();

  private final Kind kind;
  private final Random rnd;
  private long second;
  private double state;
  private int phase;

  public GpuSeriesGenerator(int seriesIndex, long seed) {
    this.kind = LAYOUT[seriesIndex % LAYOUT.length];
    this.rnd = new Random(seed * 31 + seriesIndex);
    this.state = switch (kind) {
      case TEMP -> 35 + rnd.nextInt(10);
      case TEMP_MEM -> 33 + rnd.nextInt(8);
      case ENERGY_COUNTER -> 1e9 + rnd.nextInt(1_000_000);
      case PCIE_COUNTER -> 1e12 + rnd.nextInt(1_000_000);
      case MEM_USED -> 17_061_183_488.0;
      case CONSTANT -> rnd.nextBoolean() ? 0 : 700;
      default -> 0;
    };
    this.phase = rnd.nextInt(600);
  }

  private static Kind[] layout() {
    Kind[] main = {Kind.UTIL, Kind.POWER, Kind.TEMP, Kind.TEMP_MEM, Kind.CLOCK_SM, Kind.CLOCK_MEM, Kind.MEM_USED,
        Kind.ENERGY_COUNTER, Kind.PCIE_COUNTER, Kind.PCIE_COUNTER, Kind.UTIL, Kind.POWER};
    Kind[] all = new Kind[60];
    for (int i = 0; i < all.length; i++) {
      all[i] = i < main.length ? main[i] : (i % 4 == 0 ? Kind.SLOW_COUNTER : Kind.CONSTANT);
    }
    return all;
  }

  public Kind kind() {
    return kind;
  }

  /** The value for the next second. */
  public double next() {
    long s = second++;
    boolean busy = ((s + phase) / 300) % 3 != 0; // 5-minute phases: busy two of three
    return switch (kind) {
      case UTIL -> busy ? (rnd.nextInt(10) == 0 ? 99 : 100) : 0;
      case POWER -> (busy ? 690_000 + rnd.nextInt(8000) : 69_000 + rnd.nextInt(400)) / 1000.0;
      case TEMP, TEMP_MEM -> {
        double target = busy ? 62 : 34;
        if (rnd.nextInt(20) == 0) {
          state += Math.signum(target - state);
        }
        yield state;
      }
      case CLOCK_SM -> busy ? 1350 + 15 * rnd.nextInt(4) : 1980;
      case CLOCK_MEM -> 2619;
      case MEM_USED -> state;
      case ENERGY_COUNTER -> state += busy ? 690_000 + rnd.nextInt(8000) : 69_000 + rnd.nextInt(400);
      case PCIE_COUNTER -> state += busy ? 1_000_000 + rnd.nextInt(9_000_000) : rnd.nextInt(20_000);
      case CONSTANT -> state;
      case SLOW_COUNTER -> state += rnd.nextInt(3600) == 0 ? 1 : 0;
    };
  }
}
