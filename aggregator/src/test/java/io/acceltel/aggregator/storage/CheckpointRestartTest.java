package io.acceltel.aggregator.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.aggregator.storage.block.Block;
import io.acceltel.model.series.LabelMatcher;
import io.acceltel.model.series.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointRestartTest {
  private static final long START = 1_700_000_000_000L;
  private static final Labels UTIL = Labels.of("__name__", "util", "gpu", "0");
  private static final StorageConfig ONE_HOUR_BLOCKS = TestConfigs.shortBlocks()
      .blockDuration(Resolution.RAW, Duration.ofHours(1)).blockDuration(TestConfigs.S10, Duration.ofHours(1)).build();

  @TempDir
  Path dir;

  /** An idle aggregator does not rewrite its head every interval; a new sample or new offsets do get written. */
  @Test
  void aCheckpointWithNothingNewWritesNothing() throws Exception {
    try (Storage s = Storage.open(dir, TestConfigs.shortBlocks().build())) {
      Appender app = s.appender();
      int ref = app.ref(UTIL);
      app.append(ref, START, 1);
      s.checkpoint(Map.of("t/0", 1L));
      Object written = checkpointFileKey();
      s.checkpoint(Map.of("t/0", 1L));
      assertThat(checkpointFileKey()).as("nothing appended, same offsets").isEqualTo(written);
      assertThat(app.append(ref, START, 2)).isEqualTo(AppendResult.DUPLICATE_OR_OUT_OF_ORDER);
      s.checkpoint(Map.of("t/0", 1L));
      assertThat(checkpointFileKey()).as("a dropped duplicate changes nothing").isEqualTo(written);
      s.checkpoint(Map.of("t/0", 2L));
      Object offsetsMoved = checkpointFileKey();
      assertThat(offsetsMoved).as("new offsets are written").isNotEqualTo(written);
      app.append(ref, START + 1000, 3);
      s.checkpoint(Map.of("t/0", 2L));
      assertThat(checkpointFileKey()).as("a new sample is written").isNotEqualTo(offsetsMoved);
    }
    try (Storage s = Storage.open(dir, TestConfigs.shortBlocks().build())) {
      assertThat(s.checkpointedOffsets()).containsExactly(Map.entry("t/0", 2L));
      assertThat(s.querier().selectRaw(List.of(LabelMatcher.equal("__name__", "util")), 0, Long.MAX_VALUE).get(0)
          .values()).containsExactly(1, 3);
    }
  }

  /** The checkpoint file's identity: each write renames a new file into place. */
  private Object checkpointFileKey() throws java.io.IOException {
    try (var files = java.nio.file.Files.list(dir)) {
      Path checkpoint = files.filter(p -> p.getFileName().toString().startsWith("checkpoint")
          && !p.getFileName().toString().endsWith(".tmp")).findFirst().orElseThrow();
      return java.nio.file.Files.readAttributes(checkpoint, java.nio.file.attribute.BasicFileAttributes.class)
          .fileKey();
    }
  }

  @Test
  void reopenRestoresHeadAndReplayIsIdempotent() throws Exception {
    StorageConfig config = TestConfigs.shortBlocks().build();
    try (Storage s = Storage.open(dir, config)) {
      assertThat(s.checkpointedOffsets()).isEmpty();
      Appender app = s.appender();
      int ref = app.ref(UTIL);
      for (int i = 0; i < 1000; i++) {
        assertThat(app.append(ref, START + i * 1000L, i % 100)).isEqualTo(AppendResult.APPENDED);
      }
      assertThat(app.append(ref, START + 999_000L, 1)).isEqualTo(AppendResult.DUPLICATE_OR_OUT_OF_ORDER);
      assertThat(app.append(ref, START, 1)).isEqualTo(AppendResult.DUPLICATE_OR_OUT_OF_ORDER);
      s.checkpoint(Map.of("acceltel.metrics.v1/0", 1000L, "acceltel.metrics.v1/1", 7L));
      assertThat(s.checkpointedOffsets()).containsEntry("acceltel.metrics.v1/0", 1000L);
    }
    try (Storage s = Storage.open(dir, config)) {
      assertThat(s.checkpointedOffsets()).containsExactlyInAnyOrderEntriesOf(
          Map.of("acceltel.metrics.v1/0", 1000L, "acceltel.metrics.v1/1", 7L));
      RawSeries before = s.querier().selectRaw(List.of(LabelMatcher.equal("__name__", "util")), 0, Long.MAX_VALUE)
          .get(0);
      assertThat(before.size()).isEqualTo(1000);
      Appender app = s.appender();
      int ref = app.ref(UTIL);
      for (int i = 0; i < 1000; i++) {
        assertThat(app.append(ref, START + i * 1000L, i % 100)).isEqualTo(AppendResult.DUPLICATE_OR_OUT_OF_ORDER);
      }
      for (int i = 1000; i < 1100; i++) {
        assertThat(app.append(ref, START + i * 1000L, i % 100)).isEqualTo(AppendResult.APPENDED);
      }
      RawSeries after = s.querier().selectRaw(List.of(LabelMatcher.equal("__name__", "util")), 0, Long.MAX_VALUE)
          .get(0);
      long[] t = after.timestamps();
      double[] v = after.values();
      assertThat(t).hasSize(1100);
      for (int i = 0; i < 1100; i++) {
        assertThat(t[i]).isEqualTo(START + i * 1000L);
        assertThat(v[i]).isEqualTo(i % 100);
      }
      assertThat(s.stats().samplesDropped()).isEqualTo(1000);
    }
  }

  @Test
  void blocksPersistAndReload() throws Exception {
    StorageConfig config = TestConfigs.shortBlocks().build();
    Feed feed = Feed.gpuLike(START, 3 * 3600, 11);
    StorageStats stats;
    List<SeriesData> rawBefore;
    List<SeriesData> fiveMinBefore;
    try (Storage s = Storage.open(dir, config)) {
      feed.append(s.appender(), 0, feed.records.size());
      s.checkpoint(Map.of("t/0", 1L));
      stats = s.stats();
      rawBefore = s.querier().select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE, Resolution.RAW);
      fiveMinBefore = s.querier().select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE, TestConfigs.M5);
    }
    // 3 h of data, 10 min raw blocks, the last 1 to 1.5 blocks stay in the head.
    assertThat(stats.blocks().get(Resolution.RAW)).isBetween(15, 17);
    assertThat(stats.blocks().get(TestConfigs.H1)).isEqualTo(1);
    assertThat(stats.diskBytes().get(Resolution.RAW)).isPositive();
    try (var dirs = Files.list(dir.resolve("blocks"))) {
      assertThat(dirs.count()).isEqualTo(stats.blocks().values().stream().mapToInt(Integer::intValue).sum());
    }
    try (Storage s = Storage.open(dir, config)) {
      assertThat(s.stats().blocks()).isEqualTo(stats.blocks());
      assertThat(s.stats().headRawSamples()).isEqualTo(stats.headRawSamples());
      List<SeriesData> raw = s.querier().select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE, Resolution.RAW);
      assertThat(raw).hasSameSizeAs(rawBefore);
      for (int i = 0; i < raw.size(); i++) {
        assertThat(((RawSeries) raw.get(i)).timestamps()).containsExactly(((RawSeries) rawBefore.get(i)).timestamps());
        assertThat(((RawSeries) raw.get(i)).labels()).isEqualTo(rawBefore.get(i).labels());
        assertThat(raw.get(i).size()).isEqualTo(feed.timestamps(indexOf(feed, raw.get(i).labels())).length);
      }
      List<SeriesData> fiveMin = s.querier().select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE, TestConfigs.M5);
      assertThat(fiveMin).hasSameSizeAs(fiveMinBefore);
      for (int i = 0; i < fiveMin.size(); i++) {
        WindowSeries a = (WindowSeries) fiveMin.get(i);
        WindowSeries b = (WindowSeries) fiveMinBefore.get(i);
        assertThat(a.size()).isEqualTo(b.size());
        for (int k = 0; k < a.size(); k++) {
          assertThat(a.timestamp(k)).isEqualTo(b.timestamp(k));
          assertThat(Double.doubleToRawLongBits(a.sum(k))).isEqualTo(Double.doubleToRawLongBits(b.sum(k)));
        }
      }
    }
  }

  /**
   * A checkpoint that fails after writing its blocks (here its file cannot be written, as on a full disk) leaves
   * none of them on disk: each retry would otherwise hold another block's space. The next checkpoint writes them
   * again, and nothing is lost.
   */
  @Test
  void aFailedCheckpointLeavesNoBlocksBehindAndTheNextOneWritesThem() throws Exception {
    StorageConfig config = TestConfigs.shortBlocks().build();
    Feed feed = Feed.gpuLike(START, 3 * 3600, 11);
    try (Storage s = Storage.open(dir, config)) {
      feed.append(s.appender(), 0, feed.records.size());
      failOneCheckpoint(s, Map.of("t/0", 1L));
      assertThat(s.checkpointFailures()).isEqualTo(1);
      try (var dirs = Files.list(dir.resolve("blocks"))) {
        assertThat(dirs.count()).as("the failed checkpoint's blocks").isZero();
      }
      assertThat(s.stats().blocks().values()).allMatch(n -> n == 0);

      s.checkpoint(Map.of("t/0", 1L));
      int blocks = s.stats().blocks().values().stream().mapToInt(Integer::intValue).sum();
      assertThat(blocks).isPositive();
      try (var dirs = Files.list(dir.resolve("blocks"))) {
        assertThat(dirs.count()).isEqualTo(blocks);
      }
    }
    try (Storage s = Storage.open(dir, config)) {
      assertThat(s.checkpointedOffsets()).containsExactly(Map.entry("t/0", 1L));
      for (SeriesData series : s.querier().select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE, Resolution.RAW)) {
        assertThat(((RawSeries) series).timestamps()).containsExactly(feed.timestamps(indexOf(feed,
            series.labels())));
      }
    }
  }

  /**
   * A failed checkpoint already raised minValid as it cut; its retry must still start the first block where the
   * committed blocks end, or, with a block duration lengthened across a restart, it overlaps them.
   */
  @Test
  void aRetryAfterAFailedCheckpointNeverOverlapsTheBlocksBefore() throws Exception {
    Feed feed = Feed.gpuLike(START + 40 * 60_000L, 3 * 3600, 5);
    try (Storage s = restartedHalfway(feed, feed.records.size() / 3, ONE_HOUR_BLOCKS, true)) {
      assertBlocksDisjoint(s);
      assertEverySampleInOrder(s, feed);
    }
  }

  /** Makes the next checkpoint fail before its rename, as a full disk would, and checks that it did. */
  private void failOneCheckpoint(Storage s, Map<String, Long> offsets) throws IOException {
    Path obstacle = dir.resolve("checkpoint.tmp");
    Files.createDirectories(obstacle);
    Files.writeString(obstacle.resolve("in-the-way"), "x");
    assertThatThrownBy(() -> s.checkpoint(offsets)).isInstanceOf(IOException.class);
    Files.delete(obstacle.resolve("in-the-way"));
    Files.delete(obstacle);
  }

  private static void assertBlocksDisjoint(Storage s) {
    for (Resolution res : List.of(Resolution.RAW, TestConfigs.S10)) {
      List<Block> blocks = s.blocks().blocks(s.resolutions().indexOf(res));
      for (int i = 1; i < blocks.size(); i++) {
        assertThat(blocks.get(i).meta().minTime()).as(res + " block " + i + " starts after the one before ends")
            .isGreaterThanOrEqualTo(blocks.get(i - 1).meta().maxTime());
      }
    }
  }

  private static void assertEverySampleInOrder(Storage s, Feed feed) {
    for (RawSeries series : s.querier().selectRaw(List.of(), Long.MIN_VALUE, Long.MAX_VALUE)) {
      assertThat(series.timestamps()).as("every sample of " + series.labels() + ", in order")
          .isEqualTo(feed.timestamps(indexOf(feed, series.labels())));
    }
  }

  @Test
  void uncommittedBlocksOfAnInterruptedCheckpointAreDiscarded() throws Exception {
    StorageConfig config = TestConfigs.shortBlocks().build();
    try (Storage s = Storage.open(dir, config)) {
      int ref = s.appender().ref(UTIL);
      s.appender().append(ref, START, 1);
      s.checkpoint(Map.of());
    }
    Path orphan = dir.resolve("blocks").resolve("r0-0-600000");
    Files.createDirectories(orphan);
    Files.writeString(orphan.resolve("meta.json"), "{}");
    Files.createDirectories(dir.resolve("blocks").resolve(".tmp-r0-600000-1200000"));
    try (Storage s = Storage.open(dir, config)) {
      assertThat(Files.exists(orphan)).isFalse();
      assertThat(s.querier().series(List.of(), Long.MIN_VALUE, Long.MAX_VALUE)).containsExactly(UTIL);
    }
  }

  @Test
  void aSecondOpenOfTheSameDirectoryFails() throws Exception {
    try (Storage s = Storage.open(dir, StorageConfig.defaults())) {
      assertThatThrownBy(() -> Storage.open(dir, StorageConfig.defaults()))
          .isInstanceOf(IOException.class).hasMessageContaining("in use");
    }
  }

  @Test
  void damagedCheckpointIsReported() throws Exception {
    try (Storage s = Storage.open(dir, StorageConfig.defaults())) {
      int ref = s.appender().ref(UTIL);
      s.appender().append(ref, START, 1);
      s.checkpoint(Map.of("a/0", 5L));
    }
    byte[] b = Files.readAllBytes(dir.resolve("checkpoint"));
    b[b.length / 2] ^= 0x55;
    Files.write(dir.resolve("checkpoint"), b);
    assertThatThrownBy(() -> Storage.open(dir, StorageConfig.defaults())).isInstanceOf(IOException.class);
  }

  /**
   * meta.json has no checksum, yet its range decides what the head refuses as too old and the name the checkpoint
   * lists: a damaged one stops the start naming the file, where it turned away every new sample and had the next
   * start delete the intact block as unlisted.
   */
  @Test
  void aDamagedBlockMetaStopsTheStartNamingTheFileAndTheBlockStays() throws Exception {
    StorageConfig config = TestConfigs.shortBlocks().build();
    Feed feed = Feed.gpuLike(START, 3 * 3600, 1);
    Map<Resolution, Integer> blocks;
    try (Storage s = Storage.open(dir, config)) {
      feed.append(s.appender(), 0, feed.records.size());
      s.checkpoint(Map.of());
      blocks = s.stats().blocks();
    }
    assertThat(blocks.get(Resolution.RAW)).isPositive();
    Path block;
    try (var dirs = Files.list(dir.resolve("blocks"))) {
      block = dirs.filter(d -> d.getFileName().toString().startsWith("r0-")).sorted().findFirst().orElseThrow();
    }
    Path meta = block.resolve("meta.json");
    String original = Files.readString(meta);
    for (byte[] damaged : List.of(original.replaceFirst("\"max_time\": (\\d+)", "\"max_time\": 9$1")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[] {'{', (byte) 0xFF, (byte) 0xFE, '}'},
        new byte[0])) {
      Files.write(meta, damaged);
      assertThatThrownBy(() -> Storage.open(dir, config)).isInstanceOf(IOException.class)
          .hasMessageContaining(meta.toString()).hasMessageContaining("delete the block directory");
    }
    Files.writeString(meta, original);
    try (Storage s = Storage.open(dir, config)) {
      assertThat(s.stats().blocks()).isEqualTo(blocks);
    }
    assertThat(block).isDirectory();
  }

  /** What the damaged-checkpoint error says to do (move it away) keeps every block and loses only the head. */
  @Test
  void withoutItsCheckpointTheStorageStartsFromItsBlocksAlone() throws Exception {
    StorageConfig config = TestConfigs.shortBlocks().build();
    Feed feed = Feed.gpuLike(START, 3 * 3600, 3);
    StorageStats before;
    try (Storage s = Storage.open(dir, config)) {
      feed.append(s.appender(), 0, feed.records.size());
      s.checkpoint(Map.of("t/0", 1L));
      before = s.stats();
    }
    byte[] damaged = Files.readAllBytes(dir.resolve("checkpoint"));
    damaged[damaged.length / 2] ^= 0x55;
    Files.write(dir.resolve("checkpoint"), damaged);
    assertThatThrownBy(() -> Storage.open(dir, config)).hasMessageContaining("Move it away");
    Files.move(dir.resolve("checkpoint"), dir.resolve("checkpoint.damaged"));

    try (Storage s = Storage.open(dir, config)) {
      assertThat(s.stats().blocks()).isEqualTo(before.blocks());
      assertThat(s.stats().headRawSamples()).isZero();
      assertThat(s.checkpointedOffsets()).isEmpty(); // so the source replays from its earliest retained offset
      List<SeriesData> raw = s.querier().select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE, Resolution.RAW);
      assertThat(raw).hasSize(feed.labels.size());
      assertThat(raw.get(0).size()).isGreaterThan(2 * 3600).isLessThan(3 * 3600);
      // Replay brings the blocks' samples again: they are refused, not stored twice.
      int ref = s.appender().ref(feed.labels.get(0));
      assertThat(s.appender().append(ref, START, 1)).isEqualTo(AppendResult.TOO_OLD);
    }
  }

  /**
   * Without the checkpoint the storage no longer knows what retention deleted: it takes a resolution with retention
   * to start at its oldest block, so a long query falls back to a tier rather than read a thinned-out raw.
   */
  @Test
  void withoutItsCheckpointAResolutionWithRetentionStartsAtItsOldestBlock() throws Exception {
    StorageConfig config = TestConfigs.shortBlocks().retention(Resolution.RAW, Duration.ofHours(1)).build();
    Feed feed = Feed.gpuLike(START, 3 * 3600, 2);
    long retainedFrom;
    try (Storage s = Storage.open(dir, config)) {
      feed.append(s.appender(), 0, feed.records.size());
      s.checkpoint(Map.of("t/0", 1L));
      retainedFrom = s.querier().coverage(Resolution.RAW).retainedFrom();
      assertThat(retainedFrom).as("retention deleted raw blocks").isGreaterThan(START);
    }
    Files.move(dir.resolve("checkpoint"), dir.resolve("checkpoint.damaged"));
    try (Storage s = Storage.open(dir, config)) {
      assertThat(s.querier().coverage(Resolution.RAW).retainedFrom()).isEqualTo(retainedFrom);
      assertThat(s.querier().resolutionsCovering(START, START + 3 * 3600_000L)).doesNotContain(Resolution.RAW)
          .contains(TestConfigs.S10);
      assertThat(s.querier().coverage(TestConfigs.S10).retainedFrom()).as("no retention, nothing deleted")
          .isEqualTo(Long.MIN_VALUE);
    }
  }

  /**
   * A damaged length field (here the number of offsets) is caught by the CRC before it is believed: otherwise the
   * read asks for gigantic arrays or runs off the end, and the message never says to move the file away.
   */
  @Test
  void aDamagedLengthIsCaughtByTheCrcBeforeItIsBelieved() throws Exception {
    StorageConfig config = TestConfigs.shortBlocks().build();
    try (Storage s = Storage.open(dir, config)) {
      Feed feed = Feed.gpuLike(START, 600, 2);
      feed.append(s.appender(), 0, feed.records.size());
      s.checkpoint(Map.of("t/0", 1L));
    }
    byte[] damaged = Files.readAllBytes(dir.resolve("checkpoint"));
    damaged[8] = 0x7F; // the top byte of the offsets count, just after the magic and the version
    Files.write(dir.resolve("checkpoint"), damaged);
    assertThatThrownBy(() -> Storage.open(dir, config)).hasMessageContaining("fails its CRC")
        .hasMessageContaining("Move it away");
  }

  /** What the damaged-block error says to do (delete the block) drops that block's data, and nothing else. */
  @Test
  void aListedBlockThatWasDeletedIsLeftOut() throws Exception {
    StorageConfig config = TestConfigs.shortBlocks().build();
    StorageStats before;
    try (Storage s = Storage.open(dir, config)) {
      Feed feed = Feed.gpuLike(START, 3600, 2);
      feed.append(s.appender(), 0, feed.records.size());
      s.checkpoint(Map.of("t/0", 1L));
      before = s.stats();
    }
    Path deleted;
    try (var blocks = Files.list(dir.resolve("blocks"))) {
      deleted = blocks.filter(b -> b.getFileName().toString().startsWith("r0-")).findFirst().orElseThrow();
    }
    io.acceltel.aggregator.storage.block.FileUtil.deleteRecursively(deleted);
    try (Storage s = Storage.open(dir, config)) {
      assertThat(s.stats().blocks().get(Resolution.RAW)).isEqualTo(before.blocks().get(Resolution.RAW) - 1);
      assertThat(s.stats().headRawSamples()).isEqualTo(before.headRawSamples());
    }
  }

  /**
   * Appends the feed's first {@code split} records under 10-minute raw blocks and checkpoints, then reopens with
   * {@code after}, appends the rest and checkpoints again: a block duration changed across a restart.
   */
  /**
   * The first {@code split} records under short blocks, then the rest under {@code after}; with
   * {@code firstCheckpointFails}, the first checkpoint after the restart fails and the next one is the retry.
   */
  private Storage restartedHalfway(Feed feed, int split, StorageConfig after, boolean firstCheckpointFails)
      throws IOException {
    try (Storage s = Storage.open(dir, TestConfigs.shortBlocks().build())) {
      feed.append(s.appender(), 0, split);
      s.checkpoint(Map.of("t/0", (long) split));
    }
    Storage s = Storage.open(dir, after);
    try {
      feed.append(s.appender(), split, feed.records.size());
      Map<String, Long> offsets = Map.of("t/0", (long) feed.records.size());
      if (firstCheckpointFails) {
        failOneCheckpoint(s, offsets);
      }
      s.checkpoint(offsets);
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Head chunks cut under the old block duration may straddle the new one's boundaries: checkpoints go on. */
  @Test
  void aShorterBlockDurationAfterARestartStillCheckpoints() throws Exception {
    Feed feed = Feed.gpuLike(START, 2 * 3600, 5);
    StorageConfig sevenMinutes = TestConfigs.shortBlocks().blockDuration(Resolution.RAW, Duration.ofMinutes(7))
        .build();
    try (Storage s = restartedHalfway(feed, feed.records.size() / 2, sevenMinutes, false)) {
      List<SeriesData> raw = s.querier().select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE, Resolution.RAW);
      for (SeriesData series : raw) {
        assertThat(series.size()).as("every sample of " + series.labels())
            .isEqualTo(feed.timestamps(indexOf(feed, series.labels())).length);
      }
    }
  }

  /**
   * A longer block duration after a restart starts the next block where the last one ended, not at the longer span's
   * boundary before it: overlapping blocks would put a series' samples out of order and cut a range read short.
   */
  @Test
  void aLongerBlockDurationAfterARestartNeverOverlapsTheBlocksBefore() throws Exception {
    // 20 minutes past an hour, so that the 10-minute blocks do not end on an hour boundary.
    long start = START + 40 * 60_000L;
    Feed feed = Feed.gpuLike(start, 3 * 3600, 5);
    try (Storage s = restartedHalfway(feed, feed.records.size() / 3, ONE_HOUR_BLOCKS, false)) {
      assertBlocksDisjoint(s);
      assertEverySampleInOrder(s, feed);
      // A range read inside the older blocks reaches its end rather than stopping at the first later sample.
      long mid = start + 70 * 60_000L;
      for (RawSeries series : s.querier().selectRaw(List.of(), start, mid)) {
        SampleIterator it = series.iterator();
        int n = 0;
        while (it.next()) {
          n++;
        }
        assertThat(n).isEqualTo(series.size());
      }
    }
  }

  /**
   * A series that stopped long enough ago to be in blocks entirely leaves the head at the checkpoint that cuts its
   * last block, and a restart does not bring it back; its data stays queryable from the blocks.
   */
  @Test
  void aSeriesWhoseDataIsAllInBlocksLeavesTheHead() throws Exception {
    Labels stopped = Labels.of("__name__", "util", "gpu", "1", "pod", "finished-job-0");
    try (Storage s = Storage.open(dir, TestConfigs.shortBlocks().build())) {
      Appender app = s.appender();
      int gone = app.ref(stopped);
      int running = app.ref(UTIL);
      for (int i = 0; i < 6 * 3600; i++) {
        app.append(running, START + i * 1000L, i);
        if (i < 1800) {
          app.append(gone, START + i * 1000L, i);
        }
      }
      long generation = app.refGeneration();
      s.checkpoint(Map.of("t/0", 1L));
      assertThat(s.stats().series()).isEqualTo(1);
      assertThat(s.stats().seriesRemoved()).isEqualTo(1);
      assertThat(app.refGeneration()).as("the running series was renumbered").isNotEqualTo(generation);
      running = app.ref(UTIL);
      assertThat(app.append(running, START + 6 * 3600_000L, 1)).isEqualTo(AppendResult.APPENDED);
      assertThat(s.querier().selectRaw(List.of(LabelMatcher.equal("gpu", "0")), Long.MIN_VALUE, Long.MAX_VALUE)
          .get(0).size()).as("the running series, from blocks and head").isEqualTo(6 * 3600 + 1);
      assertThat(s.querier().selectRaw(List.of(LabelMatcher.equal("pod", "finished-job-0")), Long.MIN_VALUE,
          Long.MAX_VALUE).get(0).size()).as("the stopped one, from the blocks").isEqualTo(1800);
      s.checkpoint(Map.of("t/0", 2L));
    }
    try (Storage s = Storage.open(dir, TestConfigs.shortBlocks().build())) {
      assertThat(s.stats().series()).isEqualTo(1);
      RawSeries fromBlocks = s.querier().selectRaw(List.of(LabelMatcher.equal("pod", "finished-job-0")),
          Long.MIN_VALUE, Long.MAX_VALUE).get(0);
      assertThat(fromBlocks.size()).as("its data, from the blocks").isEqualTo(1800);
      int again = s.appender().ref(stopped);
      assertThat(s.appender().append(again, START + 1000L, 1)).as("a replayed sample").isEqualTo(AppendResult.TOO_OLD);
      assertThat(s.appender().append(again, START + 6 * 3600_000L, 1)).isEqualTo(AppendResult.APPENDED);
    }
  }

  @Test
  void samplesInARangeAlreadyInABlockAreTooOld() throws Exception {
    try (Storage s = Storage.open(dir, TestConfigs.shortBlocks().build())) {
      Appender app = s.appender();
      int a = app.ref(UTIL);
      for (int i = 0; i < 3600; i++) {
        app.append(a, START + i * 1000L, 1);
      }
      s.checkpoint(Map.of());
      int b = app.ref(Labels.of("__name__", "util", "gpu", "1"));
      assertThat(app.append(b, START, 1)).isEqualTo(AppendResult.TOO_OLD);
      assertThat(app.append(b, START + 3600_000L, 1)).isEqualTo(AppendResult.APPENDED);
    }
  }

  /**
   * A sample older than the raw blocks (a replay after a lost checkpoint, a partition or an exporter's spool hours
   * behind) is refused for raw, but the coarser tiers, whose blocks are cut far later, still take it.
   */
  @Test
  void aSampleTooOldForRawStillReachesTheTiersThatTakeIt() throws Exception {
    try (Storage s = Storage.open(dir, TestConfigs.shortBlocks().build())) {
      Appender app = s.appender();
      int a = app.ref(UTIL);
      for (int i = 0; i < 3 * 3600; i++) {
        app.append(a, START + i * 1000L, 1);
      }
      s.checkpoint(Map.of());
      long late = START + 2 * 3600_000L + 5 * 60_000L;
      assertThat(late).as("older than the raw blocks").isLessThan(s.head().minValid(0));
      int m5 = s.resolutions().indexOf(TestConfigs.M5);
      assertThat(late).as("newer than the 5m tier's blocks").isGreaterThanOrEqualTo(s.head().minValid(m5));

      int b = app.ref(Labels.of("__name__", "util", "gpu", "1"));
      for (int i = 0; i < 600; i++) {
        assertThat(app.append(b, late + i * 1000L, 7)).isEqualTo(AppendResult.TOO_OLD);
      }
      List<LabelMatcher> gpu1 = List.of(LabelMatcher.equal("gpu", "1"));
      assertThat(s.querier().select(gpu1, Long.MIN_VALUE, Long.MAX_VALUE, Resolution.RAW)).as("raw refused it")
          .isEmpty();
      List<SeriesData> tier = s.querier().select(gpu1, Long.MIN_VALUE, Long.MAX_VALUE, TestConfigs.M5);
      assertThat(tier).as("the 5m tier took it").hasSize(1);
      assertThat(tier.get(0).size()).isGreaterThan(0);
      // Nothing was appended to raw and the offsets did not move (remote_write has none), but the tiers changed:
      // the checkpoint must still be written, or the restart below loses what the sender was told was stored.
      s.checkpoint(Map.of());
    }
    try (Storage s = Storage.open(dir, TestConfigs.shortBlocks().build())) {
      List<SeriesData> tier = s.querier().select(List.of(LabelMatcher.equal("gpu", "1")), Long.MIN_VALUE,
          Long.MAX_VALUE, TestConfigs.M5);
      assertThat(tier).as("the 5m tier after a restart").hasSize(1);
      assertThat(tier.get(0).size()).isGreaterThan(0);
    }
  }

  private static int indexOf(Feed f, Labels l) {
    return f.labels.indexOf(l);
  }
}
