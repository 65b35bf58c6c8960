package io.acceltel.aggregator.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.storage.chunk.Chunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The binary search over a head series' sealed chunks selects exactly the chunks a full scan would. */
class OverlappingChunksTest {

  @Test
  void selectsExactlyTheChunksThatOverlapTheRange() {
    Random random = new Random(3);
    for (int round = 0; round < 5000; round++) {
      int n = random.nextInt(40);
      Chunk[] chunks = new Chunk[n];
      long t = random.nextInt(1000);
      for (int i = 0; i < n; i++) {
        long min = t + random.nextInt(3) * 500L; // sometimes a gap between chunks
        long max = min + random.nextInt(3) * 1000L; // sometimes a single sample
        chunks[i] = new Chunk(min, max, 1, new byte[0]);
        t = max + 1;
      }
      long mint = random.nextInt((int) Math.max(1, t + 2000)) - 1000;
      long maxt = mint + random.nextInt(20_000) - 100;

      List<Chunk> expected = new ArrayList<>();
      for (Chunk c : chunks) {
        if (c.overlaps(mint, maxt)) {
          expected.add(c);
        }
      }
      List<Chunk> selected = new ArrayList<>();
      StorageQuerier.addOverlapping(selected, chunks, mint, maxt);
      assertThat(selected).as("round %d: [%d, %d]", round, mint, maxt).containsExactlyElementsOf(expected);
    }
  }
}
