package io.acceltel.exporter.attribution.dra;

import io.acceltel.exporter.attribution.AttributionMetrics;
import io.acceltel.exporter.concurrent.DaemonThreads;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
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
 * <p>Starting never blocks. When the first list answers 404, the API server does not serve
 * {@code resource.k8s.io/v1} (before 1.34, or DRA turned off): that is said once, and the watch is tried again only
 * every {@link #RECHECK}, so that a cluster upgraded under a running exporter gets DRA attribution. A 404 once the
 * watch ran (a proxy, an API server of an older version during an upgrade) is a failure like any other: counted in
 * {@code acceltel_exporter_resourceslice_watch_errors_total}, warned about once per outage, retried, and the last
 * known devices stay.
 */
public final class ResourceSliceWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ResourceSliceWatcher.class.getName());
  /** How often an API server that served no ResourceSlices is asked again. */
  static final Duration RECHECK = Duration.ofMinutes(10);

  private final Informable<ResourceSlice> source;
  private final String node;
  private final AttributionMetrics metrics;
  private final Duration recheck;
  private final AtomicBoolean warned = new AtomicBoolean();
  private final AtomicBoolean toldNotServed = new AtomicBoolean();
  private final ScheduledExecutorService rechecks = DaemonThreads.scheduler("acceltel-resourceslice-recheck");
  /** Guarded by this; replaced by a re-check. */
  private SharedIndexInformer<ResourceSlice> informer;
  private boolean closed;
  private volatile DraDevices current = DraDevices.UNKNOWN;

  private ResourceSliceWatcher(Informable<ResourceSlice> source, String node, AttributionMetrics metrics,
      Duration recheck) {
    this.source = source;
    this.node = node;
    this.metrics = metrics;
    this.recheck = recheck;
  }

  /** Starts the informer; returns at once. The client is the caller's to close. */
  public static ResourceSliceWatcher start(KubernetesClient client, String node, AttributionMetrics metrics) {
    Objects.requireNonNull(node, "node");
    // Filtered by the API server, so a node's exporter never lists the cluster's slices.
    return start(client.resources(ResourceSlice.class).withField("spec.nodeName", node), node, metrics, RECHECK);
  }

  /** With any slice source; other nodes' slices are passed over here too (the tests' mock API server cannot select). */
  static ResourceSliceWatcher start(Informable<ResourceSlice> source, String node, AttributionMetrics metrics,
      Duration recheck) {
    ResourceSliceWatcher watcher = new ResourceSliceWatcher(source, node, metrics, recheck);
    watcher.startInformer();
    return watcher;
  }

  private synchronized void startInformer() {
    if (closed) {
      return;
    }
    SharedIndexInformer<ResourceSlice> started = source.runnableInformer(0);
    started.addEventHandler(new Handler(started));
    started.exceptionHandler((informerStarted, error) -> failed(error));
    informer = started;
    started.start();
  }

  /**
   * Whether to go on retrying. fabric8's own "started" flag is false at every relist of an informer that lost its
   * watch, so whether the slices were ever listed is read from what this watcher holds.
   */
  private boolean failed(Throwable error) {
    int code = statusCode(error);
    boolean everListed = current != DraDevices.UNKNOWN && current != DraDevices.NOT_SERVED;
    if (code == 404 && !everListed) {
      current = DraDevices.NOT_SERVED;
      if (toldNotServed.compareAndSet(false, true)) {
        LOG.info("the API server does not serve resource.k8s.io/v1 ResourceSlices (Kubernetes before 1.34, or DRA "
            + "turned off), so no device is attributed through a DRA claim; asking again every "
            + recheck.toMinutes() + " min");
      }
      try {
        rechecks.schedule(this::startInformer, recheck.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // closed meanwhile
      }
      return false;
    }
    metrics.resourceSliceWatchError();
    if (warned.compareAndSet(false, true)) {
      // The message names the call and the status, never the service-account token.
      LOG.warning(() -> "ResourceSlice watch on node " + node + " failed (" + error.getClass().getSimpleName() + ": "
          + error.getMessage() + ")" + (code == 403 ? "; grant the exporter's service account list and watch on "
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

  /** Whether no informer runs now: the API server serves no ResourceSlices (until the re-check), or closed. */
  synchronized boolean stopped() {
    return informer == null || !informer.isRunning();
  }

  @Override
  public void close() {
    rechecks.shutdownNow();
    synchronized (this) {
      closed = true;
      if (informer != null) {
        informer.close();
      }
    }
  }

  private final class Handler implements ResourceEventHandler<ResourceSlice> {
    private final SharedIndexInformer<ResourceSlice> informer;

    Handler(SharedIndexInformer<ResourceSlice> informer) {
      this.informer = informer;
    }

    private void refresh() {
      current = DraDevices.of(informer.getStore().list(), node);
      if (warned.getAndSet(false)) {
        LOG.log(Level.INFO, () -> "the ResourceSlice watch on node " + node + " answers again");
      }
    }

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
      refresh(); // a list found no slice on this node: known, and empty
    }
  }
}
