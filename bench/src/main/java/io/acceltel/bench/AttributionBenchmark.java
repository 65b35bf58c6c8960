package io.acceltel.bench;

import io.acceltel.exporter.attribution.AllocationMap;
import io.acceltel.exporter.attribution.AttributionSettings;
import io.acceltel.exporter.attribution.ContainerRef;
import io.acceltel.exporter.attribution.DeviceAttributor;
import io.acceltel.exporter.attribution.DeviceId;
import io.acceltel.exporter.attribution.KubernetesAttributor;
import io.acceltel.exporter.attribution.pods.PodLabelIndex;
import io.acceltel.exporter.attribution.pods.PodLabelMapper;
import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.exporter.exposition.NativeNameView;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What attribution adds to a tick: 8 GPUs through the real JNA binding against the NVML C double (as
 * {@link TickBenchmark}), with {@code attribution=false} (no attributor) and {@code attribution=true} (the
 * {@link KubernetesAttributor} the exporter uses on a node: 6 of 8 GPUs held by 3 pods with the 5 default Volcano
 * pod labels, 2 free). The kubelet and the API server are not on the tick path, so their in-memory snapshots are
 * built once here, as the background threads build them. {@code tick} is collection only; {@code tickAndRender}
 * adds building the /metrics families, where the extra labels cost most. Target: attribution adds at most 10%.
 *
 * <pre>{@code
 * java -jar bench/target/benchmarks.jar AttributionBenchmark
 * }</pre>
 */
public class AttributionBenchmark extends MicrosecondBenchmark {
  @Param({"false", "true"})
  public boolean attribution;

  private DeviceBackend backend;
  private CollectionLoop loop;
  private final NativeNameView view = new NativeNameView();
  private long tickMillis = 1_795_349_049_000L;

  @Setup(Level.Trial)
  public void open() throws Exception {
    backend = NvmlDoubleControl.openEightGpus();
    loop = CollectionLoop.builder("bench", backend.devices())
        .attributor(attribution ? attributor(backend.devices()) : DeviceAttributor.NONE)
        .build();
  }

  /** Three pods of one Volcano job, two GPUs each; the last two GPUs free. */
  static DeviceAttributor attributor(List<DeviceReader> devices) {
    PodLabelMapper mapper = PodLabelMapper.of(AttributionSettings.DEFAULT);
    AllocationMap.Builder map = AllocationMap.builder();
    Map<String, Map<String, String>> pods = new HashMap<>();
    for (int i = 0; i < devices.size(); i++) {
      DeviceId id = new DeviceId.Uuid(devices.get(i).identity().uuid());
      map.allocatable(id);
      if (i < devices.size() - 2) {
        ContainerRef holder = new ContainerRef("team-llm", "tj-a15787703687180288704327-worker-" + i / 2, "pytorch");
        map.allocate(id, holder);
        pods.put(holder.podKey(), mapper.map(Map.of("tenant.id", "12027394361880000",
            "user.id", "bx57d89f0a785e427d88a6a2d8573d86a4", "volcano.sh/job-name", "tj-a15787703687180288704327",
            "volcano.sh/queue-name", "default", "volcano.sh/task-spec", "worker")));
      }
    }
    AllocationMap allocations = map.build();
    PodLabelIndex index = PodLabelIndex.of(pods);
    return new KubernetesAttributor(() -> allocations, () -> index);
  }

  /** One tick of the 8 attributed GPUs, for benchmarks of what follows a tick. */
  static NodeSnapshot attributedTick() throws Exception {
    try (DeviceBackend backend = NvmlDoubleControl.openEightGpus();
        CollectionLoop loop = CollectionLoop.builder("bench", backend.devices())
            .attributor(attributor(backend.devices())).build()) {
      return loop.tick(1_795_349_049_000L);
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    loop.close();
    backend.close();
  }

  @Benchmark
  public NodeSnapshot tick() {
    tickMillis += 1000;
    return loop.tick(tickMillis);
  }

  @Benchmark
  public MetricSnapshots tickAndRender() {
    tickMillis += 1000;
    return view.render(loop.tick(tickMillis));
  }
}
