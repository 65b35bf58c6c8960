package io.acceltel.promql.engine;

import java.util.function.BooleanSupplier;

/**
 * The max-samples budget, the deadline and cancellation of one query. Samples are counted like Prometheus counts
 * them: those held in the result being built plus those in flight at the current step; exceeding the budget fails
 * the query with an execution error.
 */
final class Limits {
  private final long maxSamples;
  private final long deadlineNanos;
  private final BooleanSupplier canceled;
  private long retained;
  private long inFlight;
  private int polls;

  Limits(long maxSamples, long timeoutNanos, BooleanSupplier canceled) {
    this.maxSamples = maxSamples;
    long now = System.nanoTime();
    this.deadlineNanos = timeoutNanos <= 0 ? Long.MAX_VALUE : now + timeoutNanos;
    this.canceled = canceled;
  }

  /** Samples loaded for the current step; released by {@link #endStep()}. */
  void load(long n) {
    inFlight += n;
    check();
  }

  /** Samples kept in a result until the query ends. */
  void retain(long n) {
    retained += n;
    check();
  }

  void endStep() {
    inFlight = 0;
    poll();
  }

  private void check() {
    if (retained + inFlight > maxSamples) {
      throw new QueryException(QueryException.Type.EXECUTION,
          "query processing would load too many samples into memory in query execution");
    }
  }

  /** Checks the deadline and cancellation; cheap enough to call in inner loops (it samples the clock). */
  void poll() {
    if ((++polls & 63) != 0) {
      return;
    }
    pollNow();
  }

  void pollNow() {
    if (canceled != null && canceled.getAsBoolean()) {
      throw new QueryException(QueryException.Type.CANCELED, "query was canceled in expression evaluation");
    }
    if (System.nanoTime() - deadlineNanos > 0) {
      throw new QueryException(QueryException.Type.TIMEOUT, "query timed out in expression evaluation");
    }
  }
}
