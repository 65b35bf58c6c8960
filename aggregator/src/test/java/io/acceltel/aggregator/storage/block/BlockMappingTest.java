package io.acceltel.aggregator.storage.block;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.aggregator.storage.chunk.ChunkCompactor;
import io.acceltel.model.series.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retired block frees its file mapping, so the disk space of a block retention deleted comes back at once rather
 * than when the collector gets to the buffer; a read in progress keeps the mapping until it ends.
 */
class BlockMappingTest {
  @TempDir
  Path dir;

  private Block writeAndOpen() throws IOException {
    long[] t = {1_000, 2_000, 3_000};
    double[] v = {1, 2, 3};
    Chunk chunk = new ChunkCompactor().encode(t, v, 3);
    Path block = BlockWriter.write(dir, Resolution.RAW, 0, 10_000,
        List.of(new BlockWriter.SeriesChunks(Labels.of("__name__", "accelerator_power_watts"), List.of(chunk))));
    return Block.open(block);
  }

  /** The process's mappings of this block's chunks file, from /proc/self/maps. */
  private static long mappingsOf(Block block) throws IOException {
    String chunks = block.dir().resolve("chunks").toRealPath().toString(); // as the kernel names mapped files
    return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(line -> line.contains(chunks)).count();
  }

  @Test
  void aRetiredBlockIsUnmappedAndReadsAsEmpty() throws IOException {
    Block block = writeAndOpen();
    assertThat(block.chunks(0, 0, 10_000)).hasSize(1);
    assertThat(mappingsOf(block)).isPositive();

    block.retire();
    assertThat(block.unmapped()).isTrue();
    assertThat(mappingsOf(block)).isZero();
    assertThat(block.chunks(0, 0, 10_000)).as("deleted by retention").isEmpty();
    block.retire(); // a second retirement changes nothing
    assertThat(block.unmapped()).isTrue();
  }

  @Test
  void aReadInProgressKeepsTheMappingUntilItEnds() throws IOException {
    Block block = writeAndOpen();
    assertThat(block.hold()).isTrue(); // as a chunks() call on its way through the file
    block.retire();
    assertThat(block.unmapped()).isFalse();
    assertThat(mappingsOf(block)).isPositive();

    block.letGo();
    assertThat(block.unmapped()).isTrue();
    assertThat(mappingsOf(block)).isZero();
    assertThat(block.hold()).as("never taken again once freed").isFalse();
  }
}
