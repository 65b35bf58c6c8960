package io.acceltel.exporter.attribution;

/**
 * Where the attribution threads report failures: {@code acceltel_exporter_kubelet_errors_total},
 * {@code acceltel_exporter_pod_watch_errors_total} and {@code acceltel_exporter_resourceslice_watch_errors_total}
 * (see {@link AttributionSelfMetrics}).
 *
 * <pre>{@code
 * AttributionMetrics metrics = new AttributionSelfMetrics(registry);
 * metrics.kubeletError("List", "UNAVAILABLE");
 * }</pre>
 */
public interface AttributionMetrics {
  /** A kubelet PodResources call failed with this gRPC status code. */
  void kubeletError(String call, String code);

  /** The API server pod list or watch failed. */
  void podWatchError();

  /** The API server ResourceSlice list or watch failed (DRA). */
  default void resourceSliceWatchError() {}

  AttributionMetrics NOOP = new AttributionMetrics() {
    @Override
    public void kubeletError(String call, String code) {}

    @Override
    public void podWatchError() {}
  };
}
