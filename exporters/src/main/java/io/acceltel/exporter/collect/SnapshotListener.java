package io.acceltel.exporter.collect;

import io.acceltel.model.snapshot.NodeSnapshot;

/** Receives every completed tick: the exposition cache, the Kafka sink. Called on the loop's thread; be quick. */
@FunctionalInterface
public interface SnapshotListener {
  void onSnapshot(NodeSnapshot snapshot);
}
