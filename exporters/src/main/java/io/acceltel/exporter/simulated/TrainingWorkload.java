package io.acceltel.exporter.simulated;

/**
 * What one simulated device is doing at a given instant: a data-parallel LLM training job, as a pure function of
 * time. It knows nothing about watts, clocks or temperatures (that is {@link H100Calibration} and the reader); it
 * only says how busy the device is and with what kind of work, so it can be tested on its own.
 *
 * <pre>{@code
 * TrainingWorkload w = new TrainingWorkload(42L, 3);
 * TrainingWorkload.Activity a = w.at(w.trainingStartMillis() + 60_000);
 * a.phase();   // TRAINING
 * a.busy();    // 1.0 while a kernel runs, 0.0 in the host gap between steps
 * }</pre>
 *
 * <p>A job cycle is: {@value #IDLE_MS} ms with no process (the driver idles the clocks), {@value #STARTUP_MS} ms of
 * start-up (CUDA context, weights loaded, memory ramps), then several hours of training steps. Training is
 * interrupted by data-loader stalls (a few seconds, every few minutes) and checkpoints (tens of seconds, every
 * 12 to 18 minutes). Everything about the job (step time, checkpoint period, where the stalls fall) comes from the
 * seed, so all devices of one backend run the same job; each device is shifted by a few hundred milliseconds, as
 * ranks of a real job are, and has its own small noise.
 *
 * <p>Thread-safe: immutable.
 */
final class TrainingWorkload {
  /** No process on the device: the driver drops the clocks and reports {@code gpu_idle}. */
  static final long IDLE_MS = 30_000;
  /** Context creation and model load; memory used ramps up over this phase. */
  static final long STARTUP_MS = 60_000;
  /** What a CUDA context with PyTorch's kernels loaded takes before the first allocation (H100, CUDA 12). */
  static final long CONTEXT_BYTES = 512L << 20;

  enum Phase {
    IDLE,
    STARTUP,
    TRAINING,
    DATA_STALL,
    CHECKPOINT
  }

  /**
   * The device's activity at an instant. Ratios are 0..1 and describe the instant (a kernel is running or not), so a
   * tick's value is their average over the tick's instants. Throughputs are bytes per second in each direction.
   *
   * @param busy 1 while any kernel runs: what NVML's utilization counts, which includes NCCL's communication kernels
   */
  record Activity(
      Phase phase,
      double busy,
      double smActive,
      double occupancy,
      double tensor,
      double dram,
      double fp16,
      double fp32,
      double fp64,
      double nvlinkBytesPerSecond,
      double pcieTxBytesPerSecond,
      double pcieRxBytesPerSecond) {
    boolean hasContext() {
      return phase != Phase.IDLE;
    }
  }

  // Within a step. With FSDP/DDP most gradient communication overlaps the backward pass, so only a short exposed
  // all-reduce tail and the optimizer remain; this is what makes a 1 Hz trace of a healthy job a ~97-100 % plateau.
  private static final long HOST_GAP_MS = 100;
  private static final double COMPUTE_END = 0.95;
  private static final double ALLREDUCE_END = 0.98;

  private static final Activity IDLE_ACTIVITY =
      new Activity(Phase.IDLE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.8e6, 0.4e6);

  private final long seed;
  private final int device;
  private final long offsetMs;
  private final long stepMs;
  private final long checkpointPeriodMs;
  private final long checkpointMs;
  private final long stallSlotMs;
  private final long jobMs;
  private final long memoryTargetBytes;

  TrainingWorkload(long seed, int device) {
    this.seed = seed;
    this.device = device;
    // Job-wide parameters come from the seed alone, so every device runs the same job.
    this.stepMs = 5_500 + (long) (2_000 * Noise.unit(seed, 1, 0));
    this.checkpointPeriodMs = 60_000L * (12 + (long) (7 * Noise.unit(seed, 2, 0)));
    this.checkpointMs = 25_000 + (long) (15_000 * Noise.unit(seed, 3, 0));
    this.stallSlotMs = 180_000 + (long) (120_000 * Noise.unit(seed, 4, 0));
    this.jobMs = 3_600_000L * 5 + (long) (7_200_000 * Noise.unit(seed, 5, 0));
    // Per device: ranks drift apart by up to a few hundred ms between collectives; memory differs slightly by rank
    // (pipeline stage, embedding shard), within the 70-78 GB a well-packed 80 GB device runs at.
    this.offsetMs = (long) (350 * Noise.unit(seed, 6, device));
    this.memoryTargetBytes = (70_000_000_000L + (long) (8e9 * Noise.unit(seed, 7, device))) & ~((2L << 20) - 1);
  }

  /** When this device's first training step starts, in milliseconds since the backend's first tick. */
  long trainingStartMillis() {
    return offsetMs + IDLE_MS + STARTUP_MS;
  }

  long stepMillis() {
    return stepMs;
  }

  long checkpointPeriodMillis() {
    return checkpointPeriodMs;
  }

  long checkpointMillis() {
    return checkpointMs;
  }

  /** Length of the slots data-loader stalls fall in: at most one stall a slot, none in the first. */
  long stallSlotMillis() {
    return stallSlotMs;
  }

  /** The activity at {@code millis} since the backend's first tick. */
  Activity at(long millis) {
    long u = millis - offsetMs;
    if (u < 0) {
      return IDLE_ACTIVITY;
    }
    long cycleMs = IDLE_MS + STARTUP_MS + jobMs;
    long cycle = u / cycleMs;
    long c = u % cycleMs;
    if (c < IDLE_MS) {
      return IDLE_ACTIVITY;
    }
    if (c < IDLE_MS + STARTUP_MS) {
      return startup(u, c - IDLE_MS);
    }
    long tau = c - IDLE_MS - STARTUP_MS;
    if (tau >= checkpointPeriodMs && tau % checkpointPeriodMs < checkpointMs) {
      return checkpoint(u, tau % checkpointPeriodMs);
    }
    if (inStall(cycle, tau)) {
      return sporadic(Phase.DATA_STALL, u, 0.08, 0.8e6 + 8e6, 19e6);
    }
    return step(u, tau % stepMs);
  }

  /** Device memory used at {@code millis}: none without a process, a ramp during start-up, then flat. */
  long memoryUsedBytes(long millis) {
    long u = millis - offsetMs;
    if (u < 0) {
      return 0;
    }
    long c = u % (IDLE_MS + STARTUP_MS + jobMs);
    if (c < IDLE_MS) {
      return 0;
    }
    if (c >= IDLE_MS + STARTUP_MS) {
      return memoryTargetBytes;
    }
    double x = (double) (c - IDLE_MS) / STARTUP_MS;
    double smooth = x * x * (3 - 2 * x);
    long bytes = CONTEXT_BYTES + (long) ((memoryTargetBytes - CONTEXT_BYTES) * smooth);
    return bytes & ~((2L << 20) - 1); // the caching allocator grows in 2 MiB blocks
  }

  long memoryTargetBytes() {
    return memoryTargetBytes;
  }

  private boolean inStall(long cycle, long tau) {
    long slot = tau / stallSlotMs;
    if (slot == 0 || Noise.unit(seed, 100 + cycle, slot) >= 0.7) {
      return false;
    }
    long start = slot * stallSlotMs + (long) ((0.2 + 0.6 * Noise.unit(seed, 200 + cycle, slot)) * stallSlotMs);
    long length = 4_000 + (long) (6_000 * Noise.unit(seed, 300 + cycle, slot));
    return tau >= start && tau < start + length;
  }

  private Activity step(long u, long s) {
    double n = jitter(u);
    if (s < HOST_GAP_MS) {
      // The next batch is copied in and the Python loop launches the step: no kernel runs.
      return new Activity(Phase.TRAINING, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9e6, 25e6 * n);
    }
    if (s < COMPUTE_END * stepMs) {
      // Forward and backward in bf16: tensor cores dominate; FSDP all-gathers and reduce-scatters overlap on NVLink.
      return new Activity(Phase.TRAINING, 1, 0.93 * n, 0.22 * n, 0.62 * n, 0.38 * n, 0.03 * n, 0.10 * n, 0,
          110e9 * n, 9e6 * n, 19e6 * n);
    }
    if (s < ALLREDUCE_END * stepMs) {
      // The exposed tail of the gradient all-reduce: NCCL kernels keep "utilization" at 100 % on a few SMs.
      return new Activity(Phase.TRAINING, 1, 0.24 * n, 0.06 * n, 0, 0.45 * n, 0.02 * n, 0.02 * n, 0, 370e9 * n,
          9e6 * n, 19e6 * n);
    }
    // Optimizer step: Adam in fp32 over the shard, memory-bound.
    return new Activity(Phase.TRAINING, 1, 0.90 * n, 0.35 * n, 0, 0.85 * n, 0.02 * n, 0.45 * n, 0, 0, 9e6 * n,
        19e6 * n);
  }

  private Activity startup(long u, long sinceStart) {
    // Loading the checkpoint: weights stream in over PCIe while small init kernels run now and then.
    double rx = sinceStart < STARTUP_MS * 3 / 4 ? 2.5e9 * jitter(u) : 19e6;
    return sporadic(Phase.STARTUP, u, 0.25, 9e6, rx);
  }

  private Activity checkpoint(long u, long sinceStart) {
    // The copy engines stage the shard to host memory first (they do not count as utilization), then the job
    // waits on storage with the GPU nearly idle.
    double tx = sinceStart < checkpointMs * 2 / 5 ? 14e9 * jitter(u) : 9e6;
    return sporadic(Phase.CHECKPOINT, u, 0.06, tx, 19e6);
  }

  /** Occasional short kernels: each 200 ms slot is busy with the given probability. */
  private Activity sporadic(Phase phase, long u, double probability, double pcieTx, double pcieRx) {
    boolean busy = Noise.unit(seed ^ device, 400, Math.floorDiv(u, 200)) < probability;
    if (!busy) {
      return new Activity(phase, 0, 0, 0, 0, 0, 0, 0, 0, 0, pcieTx, pcieRx);
    }
    double n = jitter(u);
    return new Activity(phase, 1, 0.30 * n, 0.10 * n, 0.05 * n, 0.20 * n, 0.01 * n, 0.10 * n, 0, 0, pcieTx, pcieRx);
  }

  /** ±3 % per 20 ms instant (the power sample period), different on each device. */
  private double jitter(long u) {
    return 1 + 0.06 * (Noise.unit(seed, 500 + device, Math.floorDiv(u, 20)) - 0.5);
  }
}
