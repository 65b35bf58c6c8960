package io.acceltel.aggregator.storage;

import io.acceltel.aggregator.storage.block.Block;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The blocks that make up the storage, per resolution index (0 raw, then the tiers) in time order, and per
 * resolution the retention horizon. Immutable; replaced as a whole when a checkpoint cuts or deletes blocks.
 */
final class BlockSet {
  private final List<List<Block>> byRes;
  private final long[] retainedFrom;
  /** Listed blocks of resolutions not configured now: kept on disk and in the checkpoint, not queried. */
  private final List<String> foreign;

  BlockSet(List<List<Block>> byRes, long[] retainedFrom, List<String> foreign) {
    List<List<Block>> copy = new ArrayList<>();
    for (List<Block> l : byRes) {
      List<Block> sorted = new ArrayList<>(l);
      sorted.sort(Comparator.comparingLong(b -> b.meta().minTime()));
      copy.add(List.copyOf(sorted));
    }
    this.byRes = List.copyOf(copy);
    this.retainedFrom = retainedFrom.clone();
    this.foreign = List.copyOf(foreign);
  }

  List<Block> blocks(int resIndex) {
    return byRes.get(resIndex);
  }

  long retainedFrom(int resIndex) {
    return retainedFrom[resIndex];
  }

  long[] retainedFrom() {
    return retainedFrom.clone();
  }

  int resolutions() {
    return byRes.size();
  }

  List<String> foreign() {
    return foreign;
  }

  List<String> names() {
    List<String> out = new ArrayList<>(foreign);
    for (List<Block> l : byRes) {
      for (Block b : l) {
        out.add(b.meta().dirName());
      }
    }
    return out;
  }
}
