package io.acceltel.aggregator.ingest;

import io.acceltel.aggregator.Aggregator;
import io.acceltel.model.catalog.MetricCatalog;
import io.acceltel.model.otlp.OtlpEncoder;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.DeviceSnapshot;
import io.acceltel.model.snapshot.NodeSnapshot;
import io.acceltel.model.snapshot.Vendor;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;
import java.util.function.Predicate;

/** What the Kafka ingest tests send and read back: an exporter's tick of one GPU, and the aggregator's counters. */
final class KafkaTicks {
  private KafkaTicks() {}

  /** One tick of a node with one H100 drawing {@code watts}, OTLP-encoded as the exporter sends it. */
  static byte[] powerTick(String node, String uuid, long t, double watts) {
    DeviceSnapshot.Builder d = DeviceSnapshot.builder(new DeviceIdentity(0, uuid, "H100", Vendor.NVIDIA));
    d.set(MetricCatalog.POWER, watts);
    return new OtlpEncoder("test").encode(new NodeSnapshot(node, t, List.of(d.build())));
  }

  /** The sum of a counter family's points whose labels pass {@code points}, as the aggregator exposes it. */
  static double counterTotal(Aggregator aggregator, String family, Predicate<Labels> points) {
    return aggregator.registry().scrape(family::equals).stream()
        .flatMap(m -> ((CounterSnapshot) m).getDataPoints().stream())
        .filter(p -> points.test(p.getLabels()))
        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
  }
}
