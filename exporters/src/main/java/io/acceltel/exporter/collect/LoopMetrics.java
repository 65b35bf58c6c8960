package io.acceltel.exporter.collect;

/** What the loop reports about itself; implemented by the exporter's self-metrics. */
public interface LoopMetrics {
  void tickCompleted(long tickMillis, double durationSeconds);

  void readOverrun(int deviceIndex);

  LoopMetrics NOOP = new LoopMetrics() {
    @Override
    public void tickCompleted(long tickMillis, double durationSeconds) {}

    @Override
    public void readOverrun(int deviceIndex) {}
  };
}
