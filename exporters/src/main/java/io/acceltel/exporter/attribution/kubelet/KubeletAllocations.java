package io.acceltel.exporter.attribution.kubelet;

import io.acceltel.exporter.attribution.AllocationMap;
import io.acceltel.exporter.attribution.AttributionMetrics;
import io.acceltel.exporter.attribution.ResourceNames;
import io.acceltel.exporter.attribution.dra.DraDevices;
import io.acceltel.exporter.attribution.kubelet.v1.AllocatableResourcesResponse;
import io.acceltel.exporter.attribution.kubelet.v1.ListPodResourcesResponse;
import io.acceltel.exporter.concurrent.DaemonThreads;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the device → container map current: asks the kubelet ({@code List}) every refresh interval on its own
 * thread, joins its DRA claims with the node's ResourceSlices, and publishes an immutable {@link AllocationMap};
 * {@code GetAllocatableResources} is asked about once a minute, since it only changes when devices or device plugins
 * change.
 *
 * <pre>{@code
 * KubeletAllocations kubelet = KubeletAllocations.start(client, names, slices::current, Duration.ofSeconds(2),
 *     metrics);
 * AllocationMap now = kubelet.current();   // never blocks
 * }</pre>
 *
 * <p>A pod that is gone from {@code List} loses its devices at the next refresh. When the kubelet cannot be reached,
 * the last map stays (a restart of the kubelet must not strip every label), errors are counted and
 * {@link #stalenessSeconds()} grows until the kubelet answers again.
 */
public final class KubeletAllocations implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KubeletAllocations.class.getName());
  private static final Duration ALLOCATABLE_EVERY = Duration.ofMinutes(1);
  /**
   * How long the first answer waits for the ResourceSlices when it names DRA claims: published before, it would call
   * the claimed GPUs free. Longer than a healthy first list takes; an API server that never answers gets the
   * answer published without the DRA join after it.
   */
  static final Duration DRA_SLICES_WAIT = Duration.ofSeconds(10);

  private final PodResourcesClient client;
  private final ResourceNames names;
  private final Supplier<DraDevices> dra;
  private final Duration deadline;
  private final int allocatableEvery;
  private final AttributionMetrics metrics;
  private final LongSupplier nanoTime;
  private final long startNanos;
  private final ScheduledExecutorService scheduler;

  // Written by the refresh thread only; read by the tick thread (current) and by scrapes (staleness).
  private volatile AllocationMap current = AllocationMap.UNKNOWN;
  private volatile long lastSuccessNanos;
  private volatile boolean failing;
  private AllocationMap allocatable;
  private boolean allocatableServed = true;
  private int refreshes;
  private boolean loggedFailure;

  KubeletAllocations(PodResourcesClient client, ResourceNames names, Supplier<DraDevices> dra, Duration refresh,
      AttributionMetrics metrics, LongSupplier nanoTime) {
    this.client = Objects.requireNonNull(client, "client");
    this.names = Objects.requireNonNull(names, "names");
    this.dra = Objects.requireNonNull(dra, "dra");
    // Long enough for a busy kubelet, short enough that a stalled one does not hold back many refreshes.
    this.deadline = clamp(refresh.multipliedBy(2), Duration.ofSeconds(1), Duration.ofSeconds(10));
    this.allocatableEvery = (int) Math.max(1, ALLOCATABLE_EVERY.toMillis() / Math.max(1, refresh.toMillis()));
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.nanoTime = nanoTime;
    this.startNanos = nanoTime.getAsLong();
    this.lastSuccessNanos = startNanos;
    this.scheduler = DaemonThreads.scheduler("acceltel-kubelet");
  }

  /**
   * Starts refreshing at once and then every {@code refresh}.
   *
   * @param dra the latest devices of the node's ResourceSlices, to join DRA claims with
   */
  public static KubeletAllocations start(PodResourcesClient client, ResourceNames names, Supplier<DraDevices> dra,
      Duration refresh, AttributionMetrics metrics) {
    KubeletAllocations k = new KubeletAllocations(client, names, dra, refresh, metrics, System::nanoTime);
    k.scheduler.scheduleWithFixedDelay(k::refreshQuietly, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
    return k;
  }

  /** The latest map; {@link AllocationMap#UNKNOWN} until the kubelet has answered once. */
  public AllocationMap current() {
    return current;
  }

  /** 0 while the last refresh succeeded; else seconds since the last one that did (or since start). */
  public double stalenessSeconds() {
    return failing ? (nanoTime.getAsLong() - lastSuccessNanos) / 1e9 : 0;
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      // Never let an unexpected error end the schedule; the staleness gauge must show it all the same.
      failing = true;
      LOG.log(Level.WARNING, "kubelet refresh failed unexpectedly; it is retried", e);
    } catch (Error e) {
      failing = true; // the schedule ends here: the staleness gauge keeps growing, so an alert still sees it
      LOG.log(Level.SEVERE, "kubelet refresh stopped; device-to-pod labels are no longer refreshed", e);
      throw e;
    }
  }

  /** One refresh, on the caller's thread; true when List answered. */
  boolean refresh() {
    ListPodResourcesResponse list;
    try {
      list = client.list(deadline);
    } catch (StatusRuntimeException e) {
      failed("List", e);
      return false;
    }
    if (allocatableServed && (allocatable == null || refreshes % allocatableEvery == 0)) {
      allocatable = fetchAllocatable();
    }
    refreshes++;
    DraDevices slices = dra.get();
    if (current == AllocationMap.UNKNOWN && !slices.known() && PodResourcesMapping.hasDraClaims(list)
        && nanoTime.getAsLong() - startNanos < DRA_SLICES_WAIT.toNanos()) {
      return true; // nothing published yet: devices stay unattributed rather than wrongly free
    }
    AllocationMap map = PodResourcesMapping.toMap(list, null, names, slices);
    current = allocatable == null ? map : map.withAllocatable(allocatable);
    lastSuccessNanos = nanoTime.getAsLong();
    if (failing) {
      LOG.info("the kubelet PodResources API answers again");
    }
    failing = false;
    loggedFailure = false;
    return true;
  }

  private AllocationMap fetchAllocatable() {
    try {
      AllocatableResourcesResponse response = client.allocatable(deadline);
      return PodResourcesMapping.toMap(ListPodResourcesResponse.getDefaultInstance(), response, names,
          DraDevices.NOT_SERVED);
    } catch (StatusRuntimeException e) {
      metrics.kubeletError("GetAllocatableResources", e.getStatus().getCode().name());
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        // Kubelets before 1.21 do not serve it; it only feeds a diagnostic, so stop asking.
        allocatableServed = false;
      }
      return allocatable;
    }
  }

  private void failed(String call, StatusRuntimeException e) {
    metrics.kubeletError(call, e.getStatus().getCode().name());
    failing = true;
    if (!loggedFailure) {
      loggedFailure = true;
      LOG.warning(() -> "kubelet PodResources " + call + " failed (" + e.getStatus().getCode() + ": "
          + e.getStatus().getDescription() + "); keeping the last device-to-pod mapping. Check that the "
          + "pod-resources directory is mounted and attribution.kubelet-socket points at kubelet.sock");
    }
    client.reconnectSoon();
  }

  private static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    client.close();
  }
}
