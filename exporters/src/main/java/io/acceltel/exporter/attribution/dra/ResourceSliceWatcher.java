package io.acceltel.exporter.attribution.dra;

import io.acceltel.exporter.attribution.AttributionMetrics;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Watches the node's DRA ResourceSlices ({@code resource.k8s.io/v1}, Kubernetes 1.34 and later) through the API
 * server, with the field selector {@code spec.nodeName=<node>}, and keeps what they publish as an immutable
 * {@link DraDevices}: how a claim's (driver, pool, device) joins to a GPU UUID.
 *
 * <pre>{@code
 * try (ResourceSliceWatcher slices = ResourceSliceWatcher.start(client, "gpu-node-17", metrics)) {
 *   slices.current().resolve("gpu.nvidia.com", "gpu-node-17", "gpu-0");
 * }
 * }</pre>
 *
 * <p>Starting never blocks. An API server that does not serve {@code resource.k8s.io/v1} (before 1.34, or DRA
 * turned off) answers 404: that is said once, and the watch stops. Any other failure is counted in
 * {@code acceltel_exporter_resourceslice_watch_errors_total}, warned about once per outage, and retried, and the last
 * known devices stay.
 */
public final class ResourceSliceWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ResourceSliceWatcher.class.getName());

  private final SharedIndexInformer<ResourceSlice> informer;
  private final String node;
  private final AtomicBoolean warned = new AtomicBoolean();
  private volatile DraDevices current = DraDevices.UNKNOWN;

  private ResourceSliceWatcher(SharedIndexInformer<ResourceSlice> informer, String node) {
    this.informer = informer;
    this.node = node;
  }

  /** Starts the informer; returns at once. The client is the caller's to close. */
  public static ResourceSliceWatcher start(KubernetesClient client, String node, AttributionMetrics metrics) {
    Objects.requireNonNull(node, "node");
    // Filtered by the API server, so a node's exporter never lists the cluster's slices.
    return start(client.resources(ResourceSlice.class).withField("spec.nodeName", node), node, metrics);
  }

  /** With any slice source; other nodes' slices are passed over here too (the tests' mock API server cannot select). */
  static ResourceSliceWatcher start(Informable<ResourceSlice> source, String node, AttributionMetrics metrics) {
    SharedIndexInformer<ResourceSlice> informer = source.runnableInformer(0);
    ResourceSliceWatcher watcher = new ResourceSliceWatcher(informer, node);
    informer.addEventHandler(watcher.new Handler());
    informer.exceptionHandler((started, error) -> watcher.failed(error, metrics));
    informer.start();
    return watcher;
  }

  /** Whether to go on retrying. */
  private boolean failed(Throwable error, AttributionMetrics metrics) {
    int code = statusCode(error);
    if (code == 404) {
      current = DraDevices.NOT_SERVED;
      LOG.info("the API server does not serve resource.k8s.io/v1 ResourceSlices (Kubernetes before 1.34, or DRA "
          + "turned off), so no device is attributed through a DRA claim");
      return false;
    }
    metrics.resourceSliceWatchError();
    if (warned.compareAndSet(false, true)) {
      // The message names the call and the status, never the service-account token.
      boolean forbidden = code == 403;
      LOG.warning(() -> "ResourceSlice watch on node " + node + " failed (" + error.getClass().getSimpleName() + ": "
          + error.getMessage() + ")" + (forbidden ? "; grant the exporter's service account list and watch on "
          + "resourceslices in the resource.k8s.io API group (docs/attribution.md)" : "")
          + "; devices held through DRA claims keep their last known holders, and the watch is retried");
    }
    return true;
  }

  /** The HTTP status of the API server's answer behind the error (the informer wraps it), or 0. */
  private static int statusCode(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (e instanceof KubernetesClientException k && k.getCode() > 0) {
        return k.getCode();
      }
    }
    return 0;
  }

  /** What the node's slices publish; {@link DraDevices#UNKNOWN} until they have been listed. */
  public DraDevices current() {
    return current;
  }

  private void refresh() {
    current = DraDevices.of(informer.getStore().list(), node);
    warned.set(false);
  }

  /** Whether the watch has stopped for good: the API server serves no ResourceSlices, or {@link #close()}. */
  boolean stopped() {
    return !informer.isRunning();
  }

  @Override
  public void close() {
    informer.close();
  }

  private final class Handler implements ResourceEventHandler<ResourceSlice> {
    @Override
    public void onAdd(ResourceSlice slice) {
      refresh();
    }

    @Override
    public void onUpdate(ResourceSlice oldSlice, ResourceSlice newSlice) {
      refresh();
    }

    @Override
    public void onDelete(ResourceSlice slice, boolean deletedFinalStateUnknown) {
      refresh();
    }

    @Override
    public void onNothing() {
      refresh(); // the initial list found no slice on this node: known, and empty
    }
  }
}
