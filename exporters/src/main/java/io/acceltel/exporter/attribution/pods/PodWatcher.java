package io.acceltel.exporter.attribution.pods;

import io.acceltel.exporter.attribution.AttributionMetrics;
import io.acceltel.exporter.concurrent.DaemonThreads;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Watches the pods of one node through the API server (an informer with the field selector
 * {@code spec.nodeName=<node>}) and keeps their mapped labels as an immutable {@link PodLabelIndex}.
 *
 * <pre>{@code
 * try (PodWatcher pods = PodWatcher.start(client, "gpu-node-17", PodLabelMapper.of(settings), metrics)) {
 *   pods.current().labels("team-llm", "tj-a1578-worker-0");   // {tenant_id=…, job_name=…}
 * }
 * }</pre>
 *
 * <p>Starting never blocks: the informer lists and watches on its own threads and retries after every error. While
 * the API server cannot be reached, the last known labels stay, {@link #stalenessSeconds()} grows, and each failure
 * counts in {@code acceltel_exporter_pod_watch_errors_total}. A deleted pod's labels are kept for
 * {@link #DELETED_POD_GRACE} more: the kubelet lists its devices until its containers are gone, and dropping the
 * labels first would split its series into a labelled and an unlabelled one.
 */
public final class PodWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PodWatcher.class.getName());
  /** How long a deleted pod's labels stay: several kubelet refreshes (2 s by default). */
  static final Duration DELETED_POD_GRACE = Duration.ofSeconds(10);

  private final SharedIndexInformer<Pod> informer;
  private final String node;
  private final AttributionMetrics metrics;
  /** Checker thread only: whether the watch was up at the last check. */
  private boolean up;
  private boolean wasEverUp;
  private final PodLabelMapper mapper;
  private final LongSupplier nanoTime;
  /** Guarded by itself; written by the informer's event thread, copied into {@link #current} after each change. */
  private final Map<String, Map<String, String>> byPod = new HashMap<>();
  /** Pods of {@link #byPod} in phase Succeeded or Failed; guarded by {@link #byPod}. */
  private final Set<String> finished = new HashSet<>();
  /** The UID of each pod of {@link #byPod}, so a delayed removal never takes a re-created pod's labels. */
  private final Map<String, String> uids = new HashMap<>();
  private final Duration deletedPodGrace;
  private final AtomicInteger delayedRemovalsRun = new AtomicInteger();
  private volatile PodLabelIndex current = PodLabelIndex.EMPTY;
  private volatile long lastWatchingNanos;
  /** When {@link #check} last ran; checker thread only. */
  private long lastCheckNanos;
  /** Notes five times a second whether the watch is up, so staleness is right whenever it is read. */
  private final ScheduledExecutorService checker = DaemonThreads.scheduler("acceltel-pod-watch-check");

  private PodWatcher(SharedIndexInformer<Pod> informer, String node, PodLabelMapper mapper,
      AttributionMetrics metrics, LongSupplier nanoTime, Duration deletedPodGrace) {
    this.informer = informer;
    this.deletedPodGrace = deletedPodGrace;
    this.node = node;
    this.metrics = metrics;
    this.mapper = mapper;
    this.nanoTime = nanoTime;
    this.lastWatchingNanos = nanoTime.getAsLong();
    this.lastCheckNanos = lastWatchingNanos;
    checker.scheduleWithFixedDelay(this::check, 200, 200, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts the informer; returns at once.
   *
   * @param client an API server client (in a pod: the in-cluster service account); closed by {@link #close()}
   */
  public static PodWatcher start(KubernetesClient client, String node, PodLabelMapper mapper,
      AttributionMetrics metrics) {
    Objects.requireNonNull(node, "node");
    // The API server filters by node, so a node's exporter never lists the cluster's pods.
    return start(client.pods().inAnyNamespace().withField("spec.nodeName", node), node, mapper, metrics);
  }

  /** With any pod source; pods of other nodes are ignored here too (the tests' mock API server cannot select). */
  static PodWatcher start(Informable<Pod> source, String node, PodLabelMapper mapper, AttributionMetrics metrics) {
    return start(source, node, mapper, metrics, DELETED_POD_GRACE);
  }

  static PodWatcher start(Informable<Pod> source, String node, PodLabelMapper mapper, AttributionMetrics metrics,
      Duration deletedPodGrace) {
    SharedIndexInformer<Pod> informer = source.runnableInformer(0);
    PodWatcher watcher = new PodWatcher(informer, node, mapper, metrics, System::nanoTime, deletedPodGrace);
    informer.addEventHandler(watcher.new Handler());
    informer.exceptionHandler((started, error) -> {
      metrics.podWatchError();
      // The message names the call and the status, never the service-account token.
      LOG.warning(() -> "pod watch on node " + node + " failed (" + error.getClass().getSimpleName() + ": "
          + error.getMessage() + "); keeping the last known pod labels and retrying");
      return true;
    });
    informer.start();
    return watcher;
  }

  /** The latest labels of every pod on the node. */
  public PodLabelIndex current() {
    return current;
  }

  /** 0 while the watch is up; else seconds since it last was (or since start), to within 200 ms. */
  public double stalenessSeconds() {
    long now = nanoTime.getAsLong();
    if (informer.isWatching()) {
      lastWatchingNanos = now;
      return 0;
    }
    return (now - lastWatchingNanos) / 1e9;
  }

  /**
   * A lost watch counts as a failure: the informer re-lists and re-watches on its own, and reports to the exception
   * handler only some of the errors on the way (a dropped watch connection is not one of them). A watch seen up by
   * any reader since the last check counts too, so one that came up and went down between two checks is not missed.
   */
  private void check() {
    long now = nanoTime.getAsLong();
    boolean watching = stalenessSeconds() == 0;
    boolean upSinceLastCheck = up || lastWatchingNanos - lastCheckNanos > 0;
    lastCheckNanos = now;
    if (upSinceLastCheck && !watching) {
      metrics.podWatchError();
      LOG.warning(() -> "the pod watch on node " + node + " is down; keeping the last known pod labels");
    } else if (!up && watching && wasEverUp) {
      LOG.info(() -> "the pod watch on node " + node + " is up again");
    }
    wasEverUp |= upSinceLastCheck || watching;
    up = watching;
  }

  /** True once the informer has listed the node's pods and is watching. */
  public boolean isWatching() {
    return stalenessSeconds() == 0; // and notes it for the checker
  }

  private void put(Pod pod) {
    if (pod.getSpec() == null || !node.equals(pod.getSpec().getNodeName())) {
      remove(pod);
      return;
    }
    String key = pod.getMetadata().getNamespace() + '/' + pod.getMetadata().getName();
    Map<String, String> labels = mapper.map(pod.getMetadata().getLabels());
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    synchronized (byPod) {
      byPod.put(key, labels);
      uids.put(key, String.valueOf(pod.getMetadata().getUid()));
      if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
        finished.add(key);
      } else {
        finished.remove(key);
      }
      current = PodLabelIndex.of(byPod, finished);
    }
  }

  private void remove(Pod pod) {
    removeIf(pod.getMetadata().getNamespace() + '/' + pod.getMetadata().getName(), null);
  }

  /** A deleted pod: its labels go after the grace, unless a pod of the same name (another UID) came meanwhile. */
  private void removeLater(Pod pod) {
    String key = pod.getMetadata().getNamespace() + '/' + pod.getMetadata().getName();
    String uid = String.valueOf(pod.getMetadata().getUid());
    checker.schedule(() -> {
      removeIf(key, uid);
      delayedRemovalsRun.incrementAndGet();
    }, deletedPodGrace.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How many deleted pods' grace ran out (whether their labels went or a re-created pod's stayed); for tests. */
  int delayedRemovalsRun() {
    return delayedRemovalsRun.get();
  }

  /** Removes the pod's labels; with a {@code uid}, only while they are still that pod's. */
  private void removeIf(String key, String uid) {
    synchronized (byPod) {
      if (uid != null && !uid.equals(uids.get(key))) {
        return;
      }
      byPod.remove(key);
      finished.remove(key);
      uids.remove(key);
      current = PodLabelIndex.of(byPod, finished);
    }
  }

  @Override
  public void close() {
    checker.shutdownNow();
    informer.close();
  }

  private final class Handler implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      put(pod);
    }

    @Override
    public void onUpdate(Pod oldPod, Pod newPod) {
      put(newPod);
    }

    @Override
    public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
      removeLater(pod);
    }
  }
}
