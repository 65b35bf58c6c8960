package io.acceltel.exporter.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.exporter.kafka.TickBuffer.Tick;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk spool behind the memory buffer, without Kafka: the sender is played by {@link #drain}. */
class TickSpoolTest {
  private static final long LARGE = 1L << 30;

  private static Tick tick(long timestamp) {
    return Tick.of("node-s", timestamp, payload(timestamp).getBytes(StandardCharsets.UTF_8));
  }

  /** Of one length for every tick, so that segment sizes can be counted in records. */
  private static String payload(long timestamp) {
    return String.format("payload of tick %06d", timestamp);
  }

  private static int recordBytes() {
    int bytes = TickSpool.encode(tick(1)).length;
    for (long t = 2; t <= 30; t++) {
      assertThat(TickSpool.encode(tick(t))).as("every test record is as long as the first").hasSize(bytes);
    }
    return bytes;
  }

  /** Sends and acknowledges everything the buffer holds, as the sender would; returns the timestamps in order. */
  private static List<Long> drain(TickBuffer buffer) throws InterruptedException {
    List<Long> sent = new ArrayList<>();
    Tick tick;
    while ((tick = buffer.takeForSending(0)) != null) {
      assertThat(new String(tick.payload(), StandardCharsets.UTF_8))
          .as("the payload comes back from disk exactly").isEqualTo(payload(tick.timestampMillis()));
      assertThat(tick.node()).isEqualTo("node-s");
      sent.add(tick.timestampMillis());
      buffer.acknowledged();
    }
    return sent;
  }

  private static List<Long> range(long fromInclusive, long toInclusive) {
    return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
  }

  private static List<Path> segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".spool")).sorted().toList();
    }
  }

  /**
   * Leaves the spool's files as a crash would: as they were before {@code close}, which records the cursor (the
   * lock is released, as the OS does for a dead process).
   */
  /** Opens the spool again, as a restarted exporter does, and checks that it sends exactly ticks first..last. */
  private static void assertResentAfterRestart(Path dir, long first, long last) throws Exception {
    TickBuffer after = new TickBuffer(2, TickSpool.open(dir, LARGE));
    assertThat(drain(after)).isEqualTo(range(first, last));
    after.close();
  }

  private static void crash(TickSpool spool, Path dir) throws IOException {
    Path cursor = dir.resolve("spool.cursor");
    byte[] before = Files.exists(cursor) ? Files.readAllBytes(cursor) : null;
    spool.close();
    if (before == null) {
      Files.deleteIfExists(cursor);
    } else {
      Files.write(cursor, before);
    }
  }

  @Test
  void ticksBeyondTheMemoryBoundWaitOnDiskAndAreSentFirstInOrderWithNothingLost(@TempDir Path dir)
      throws Exception {
    TickSpool spool = TickSpool.open(dir, LARGE, 5L * recordBytes());
    TickBuffer buffer = new TickBuffer(3, spool);
    for (long t = 1; t <= 20; t++) {
      assertThat(buffer.offer(tick(t))).as("nothing dropped").isZero();
    }
    assertThat(buffer.memoryTicks()).isEqualTo(3);
    assertThat(buffer.spooledTicks()).isEqualTo(17);
    assertThat(buffer.spooledBytes()).isEqualTo(segments(dir).stream().mapToLong(p -> p.toFile().length()).sum());
    assertThat(segments(dir)).as("17 records at 5 per segment").hasSize(4);

    assertThat(drain(buffer)).isEqualTo(range(1, 20));
    assertThat(buffer.dropped()).isZero();
    assertThat(buffer.spooledTicks()).isZero();
    assertThat(buffer.spooledBytes()).isZero();
    assertThat(segments(dir)).as("every segment deleted once its ticks were acknowledged").isEmpty();

    // The spool is empty again: a second outage uses it the same way.
    for (long t = 21; t <= 30; t++) {
      buffer.offer(tick(t));
    }
    assertThat(drain(buffer)).isEqualTo(range(21, 30));
    buffer.close();
  }

  @Test
  void aTickInFlightFromMemoryStaysAheadOfTheTicksThatOverflowAfterIt(@TempDir Path dir) throws Exception {
    TickBuffer buffer = new TickBuffer(2, TickSpool.open(dir, LARGE));
    buffer.offer(tick(1));
    assertThat(buffer.takeForSending(0).timestampMillis()).isEqualTo(1);
    for (long t = 2; t <= 6; t++) {
      buffer.offer(tick(t));
    }
    assertThat(buffer.memoryTicks()).as("ticks 5 and 6 wait in memory").isEqualTo(2);
    assertThat(buffer.spooledTicks()).as("tick 1, moved while in flight, then 2, 3 and 4").isEqualTo(4);
    assertThat(buffer.takeForSending(0).timestampMillis()).as("still in flight until acknowledged").isEqualTo(1);
    buffer.acknowledged();
    assertThat(drain(buffer)).isEqualTo(range(2, 6));
    assertThat(buffer.dropped()).isZero();
    buffer.close();
  }

  /**
   * The disk refuses the in-flight tick but takes the next one (a full disk with a little room freed): later ticks
   * keep going to the spool, in order, and every tick is still sent.
   */
  @Test
  void aTickInFlightTheDiskRefusedStaysInMemoryAndLaterTicksStillSpool(@TempDir Path dir) throws Exception {
    TickSpool spool = TickSpool.open(dir, LARGE, recordBytes()); // one record per segment: every write rolls
    TickBuffer buffer = new TickBuffer(2, spool);
    buffer.offer(tick(1));
    assertThat(buffer.takeForSending(0).timestampMillis()).isEqualTo(1);
    buffer.offer(tick(2));
    // The first segment's name is taken by a directory, so the write of in-flight tick 1 fails; tick 2's succeeds.
    Files.createDirectory(dir.resolve(String.format("ticks-%020d.spool", 0)));
    for (long t = 3; t <= 6; t++) {
      assertThat(buffer.offer(tick(t))).as("tick %d offered, nothing dropped", t).isZero();
    }
    assertThat(buffer.spooledTicks()).as("ticks 2 to 5").isEqualTo(4);
    assertThat(buffer.memoryTicks()).as("1, still in flight, and 6").isEqualTo(2);
    assertThat(drain(buffer)).isEqualTo(range(1, 6));
    assertThat(buffer.dropped()).isZero();
    buffer.close();
  }

  /**
   * A backlog drains in batches: consecutive spooled ticks of one segment go out together and are acknowledged
   * together, in order, then memory's; a batch in flight at a stop is sent again first after the restart.
   */
  @Test
  void aSpooledBacklogDrainsInBatchesInOrderAndABatchInFlightSurvivesAStop(@TempDir Path dir) throws Exception {
    TickBuffer buffer = new TickBuffer(3, TickSpool.open(dir, LARGE, TickSpool.MAGIC.length + 10L * recordBytes()));
    for (long t = 1; t <= 30; t++) {
      buffer.offer(tick(t)); // 1..27 spooled, ten to a segment; 28..30 in memory
    }
    List<Long> sent = new ArrayList<>();
    List<TickBuffer.Tick> batch = buffer.takeBatchForSending(16, 0);
    assertThat(batch).extracting(TickBuffer.Tick::timestampMillis).as("one segment's ten").isEqualTo(range(1, 10));
    assertThat(buffer.takeBatchForSending(16, 0)).as("in flight until acknowledged").isEqualTo(batch);
    buffer.acknowledged();
    batch = buffer.takeBatchForSending(4, 0);
    assertThat(batch).extracting(TickBuffer.Tick::timestampMillis).isEqualTo(range(11, 14));
    assertThat(buffer.size()).as("in flight is still held").isEqualTo(20);
    assertThat(buffer.close()).as("the batch in flight and the rest stay for the next start").isEqualTo(20);

    TickBuffer after = new TickBuffer(3, TickSpool.open(dir, LARGE));
    for (List<TickBuffer.Tick> b; !(b = after.takeBatchForSending(16, 0)).isEmpty(); after.acknowledged()) {
      b.forEach(t -> sent.add(t.timestampMillis()));
    }
    assertThat(sent).isEqualTo(range(11, 30));
    assertThat(after.dropped()).isZero();
    after.close();
  }

  /**
   * A batch in flight whose segment is dropped over the bound is still delivered while the exporter runs; if it
   * stops first, those ticks are gone with their file and must be counted as dropped, not reported as kept.
   */
  @Test
  void aBatchWhoseSegmentWasDroppedIsCountedAsDroppedWhenTheExporterStopsFirst(@TempDir Path dir) throws Exception {
    long segmentBytes = TickSpool.MAGIC.length + 4L * recordBytes();
    TickBuffer buffer = new TickBuffer(1, TickSpool.open(dir, 2 * segmentBytes, segmentBytes));
    for (long t = 1; t <= 5; t++) {
      buffer.offer(tick(t)); // 1..4 in the first segment, 5 in memory
    }
    assertThat(buffer.takeBatchForSending(16, 0)).extracting(TickBuffer.Tick::timestampMillis)
        .isEqualTo(range(1, 4));
    for (long t = 6; t <= 14; t++) {
      buffer.offer(tick(t)); // the spool outgrows its bound: the first segment, in flight, is dropped
    }
    long droppedWhileRunning = buffer.dropped();
    long kept = buffer.close();
    assertThat(buffer.dropped()).as("the four in flight, gone with their file").isEqualTo(droppedWhileRunning + 4);
    TickBuffer after = new TickBuffer(1, TickSpool.open(dir, LARGE));
    List<Long> resent = drain(after);
    assertThat(resent).hasSize((int) kept);
    assertThat(resent.size() + buffer.dropped()).as("resent after the restart + dropped = offered").isEqualTo(14);
    after.close();
  }

  /**
   * The same, when it is the stop itself that drops the segment in flight: the memory ticks it writes to the spool
   * push it over its bound. The ticks in flight must then be counted as dropped, not reported as kept.
   */
  @Test
  void aBatchWhoseSegmentTheStopDropsIsCountedAsDropped(@TempDir Path dir) throws Exception {
    long segmentBytes = TickSpool.MAGIC.length + 4L * recordBytes();
    TickBuffer buffer = new TickBuffer(5, TickSpool.open(dir, 2 * segmentBytes, segmentBytes));
    for (long t = 1; t <= 9; t++) {
      buffer.offer(tick(t)); // 1..4 in the spool, 5..9 in memory
    }
    assertThat(buffer.takeBatchForSending(16, 0)).extracting(TickBuffer.Tick::timestampMillis)
        .isEqualTo(range(1, 4));
    long kept = buffer.close();
    TickBuffer after = new TickBuffer(5, TickSpool.open(dir, LARGE));
    List<Long> resent = drain(after);
    assertThat(resent).as("what close() said the spool keeps").hasSize((int) kept);
    assertThat(resent.size() + buffer.dropped()).as("resent after the restart + dropped = offered").isEqualTo(9);
    after.close();
  }

  /**
   * A stop interrupts the tick thread; if that lands while a full memory buffer moves its oldest tick to the spool,
   * the interrupt closes the file under the write. The tick must still be in the spool, not dropped.
   */
  @Test
  void anInterruptDuringAWriteToTheSpoolDropsNothing(@TempDir Path dir) throws Exception {
    TickBuffer buffer = new TickBuffer(2, TickSpool.open(dir, LARGE));
    buffer.offer(tick(1));
    buffer.offer(tick(2));
    Thread.currentThread().interrupt();
    try {
      buffer.offer(tick(3)); // memory is full: tick 1 goes to the spool
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
    } finally {
      Thread.interrupted();
    }
    buffer.close();
    assertThat(buffer.dropped()).isZero();
    TickBuffer after = new TickBuffer(2, TickSpool.open(dir, LARGE));
    assertThat(drain(after)).isEqualTo(range(1, 3));
    after.close();
  }

  /** A long outage rolls many segments: only the one written and the one read hold a file open. */
  @Test
  void sealedSegmentsHoldNoFileOpen(@TempDir Path dir) throws Exception {
    TickBuffer buffer = new TickBuffer(1, TickSpool.open(dir, LARGE, TickSpool.MAGIC.length + recordBytes()));
    for (long t = 1; t <= 200; t++) {
      buffer.offer(tick(t));
    }
    assertThat(segments(dir)).hasSizeGreaterThan(150);
    assertThat(openFilesUnder(dir)).as("the lock file and the segment written").isLessThanOrEqualTo(2);
    assertThat(drain(buffer)).isEqualTo(range(1, 200));
    buffer.close();
  }

  private static long openFilesUnder(Path dir) throws IOException {
    Path real = dir.toRealPath();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).startsWith(real);
        } catch (IOException e) {
          return false; // closed meanwhile (the listing's own descriptor)
        }
      }).count();
    }
  }

  /** The tick being sent when the broker went away is the oldest: after a restart it is still sent first. */
  @Test
  void aTickInFlightWhenTheExporterStopsIsSentFirstAfterTheRestart(@TempDir Path dir) throws Exception {
    TickBuffer before = new TickBuffer(2, TickSpool.open(dir, LARGE));
    before.offer(tick(1));
    before.takeForSending(0);
    for (long t = 2; t <= 6; t++) {
      before.offer(tick(t));
    }
    assertThat(before.close()).isEqualTo(6);

    assertResentAfterRestart(dir, 1, 6);
  }

  /** The same with a memory too small for the spool ever to have been used before the stop. */
  @Test
  void aTickInFlightWithNoOverflowIsSpooledOnStopAndSentAfterTheRestart(@TempDir Path dir) throws Exception {
    TickBuffer before = new TickBuffer(5, TickSpool.open(dir, LARGE));
    before.offer(tick(1));
    before.takeForSending(0);
    before.offer(tick(2));
    assertThat(before.spooledTicks()).isZero();
    assertThat(before.close()).isEqualTo(2);

    TickBuffer after = new TickBuffer(5, TickSpool.open(dir, LARGE));
    assertThat(drain(after)).isEqualTo(range(1, 2));
    after.close();
  }

  @Test
  void spooledTicksSurviveARestartAndAreSentBeforeNewOnes(@TempDir Path dir) throws Exception {
    TickBuffer before = new TickBuffer(2, TickSpool.open(dir, LARGE));
    for (long t = 1; t <= 10; t++) {
      before.offer(tick(t));
    }
    for (int i = 0; i < 3; i++) {
      before.takeForSending(0);
      before.acknowledged();
    }
    assertThat(before.close()).as("7 unacknowledged ticks, the 2 in memory written out on close").isEqualTo(7);

    TickSpool reopened = TickSpool.open(dir, LARGE);
    assertThat(reopened.ticks()).isEqualTo(7);
    TickBuffer after = new TickBuffer(2, reopened);
    after.offer(tick(11));
    assertThat(drain(after)).isEqualTo(range(4, 11));
    assertThat(after.dropped()).isZero();
    after.close();
    assertThat(segments(dir)).isEmpty();
  }

  /**
   * Without an orderly close (a crash) the memory ticks are lost but the spooled ones are not; nor is it known how
   * far the oldest segment was acknowledged, so it is sent again from its start (at least once, never lost).
   */
  @Test
  void spooledTicksSurviveACrashThatLosesTheMemoryOnes(@TempDir Path dir) throws Exception {
    TickSpool spool = TickSpool.open(dir, LARGE);
    TickBuffer crashed = new TickBuffer(2, spool);
    for (long t = 1; t <= 10; t++) {
      crashed.offer(tick(t));
    }
    for (int i = 0; i < 2; i++) {
      crashed.takeForSending(0);
      crashed.acknowledged();
    }
    crash(spool, dir);

    assertResentAfterRestart(dir, 1, 8);
  }

  @Test
  void aTornTailRecordIsSkippedAndCountedOnceAndTheRestIsSent(@TempDir Path dir) throws Exception {
    TickSpool spool = TickSpool.open(dir, LARGE);
    for (long t = 1; t <= 5; t++) {
      spool.append(tick(t));
    }
    spool.close();
    Path segment = segments(dir).get(0);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.setLength(file.length() - 3); // a crash in the middle of writing tick 5
    }

    TickSpool reopened = TickSpool.open(dir, LARGE);
    assertThat(reopened.corruptTailsSkipped()).isEqualTo(1);
    assertThat(reopened.ticks()).isEqualTo(4);
    TickBuffer buffer = new TickBuffer(2, reopened);
    assertThat(buffer.stats().spoolCorruptBytesSkipped()).as("what was written of tick 5").isEqualTo(
        recordBytes() - 3);
    buffer.offer(tick(6));
    buffer.offer(tick(7));
    buffer.offer(tick(8));
    assertThat(drain(buffer)).isEqualTo(List.of(1L, 2L, 3L, 4L, 6L, 7L, 8L));
    assertThat(buffer.dropped()).as("the torn tick belongs to the run that crashed, not to this one").isZero();
    buffer.close();
    assertThat(segments(dir)).as("the torn segment is deleted once its whole ticks were sent").isEmpty();
  }

  @Test
  void aRecordWhoseBytesChangedFailsItsCrcAndEndsTheSegment(@TempDir Path dir) throws Exception {
    TickSpool spool = TickSpool.open(dir, LARGE);
    for (long t = 1; t <= 4; t++) {
      spool.append(tick(t));
    }
    spool.close();
    Path segment = segments(dir).get(0);
    long thirdRecordPayloadEnd = TickSpool.MAGIC.length + 3L * recordBytes() - 1;
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.seek(thirdRecordPayloadEnd);
      int b = file.read();
      file.seek(thirdRecordPayloadEnd);
      file.write(b ^ 0x5A);
    }

    TickSpool reopened = TickSpool.open(dir, LARGE);
    assertThat(reopened.corruptTailsSkipped()).isEqualTo(1);
    TickBuffer buffer = new TickBuffer(1, reopened);
    assertThat(drain(buffer)).as("nothing after a corrupt record can be trusted").isEqualTo(List.of(1L, 2L));
    buffer.close();
  }

  @Test
  void aSegmentWithoutAValidHeaderIsSkippedNotFatal(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("ticks-00000000000000000000.spool"), new byte[] {'A', 'C'});
    Files.write(dir.resolve("ticks-00000000000000000001.spool"), new byte[0]);
    TickSpool spool = TickSpool.open(dir, LARGE);
    assertThat(spool.corruptTailsSkipped()).as("a half-written header is torn; an empty file is not").isEqualTo(1);
    assertThat(spool.ticks()).isZero();
    assertThat(segments(dir)).isEmpty();
    TickBuffer buffer = new TickBuffer(1, spool);
    buffer.offer(tick(1));
    buffer.offer(tick(2));
    assertThat(segments(dir)).extracting(p -> p.getFileName().toString())
        .as("new segments are numbered after every old one").containsExactly("ticks-00000000000000000002.spool");
    assertThat(drain(buffer)).isEqualTo(List.of(1L, 2L));
    buffer.close();
  }

  /**
   * Segments of 4 records and a bound of 3 segments: 20 ticks into the spool leave the last 3 segments' worth,
   * and the ticks of the 2 dropped segments are counted exactly, none of them twice and none of the kept ones.
   */
  @Test
  void beyondMaxBytesTheOldestSegmentIsDroppedAndItsTicksCountedExactly(@TempDir Path dir) throws Exception {
    long segmentBytes = TickSpool.MAGIC.length + 4L * recordBytes();
    TickSpool spool = TickSpool.open(dir, 3 * segmentBytes, segmentBytes);
    TickBuffer buffer = new TickBuffer(1, spool);
    int droppedOnOffer = 0;
    for (long t = 1; t <= 21; t++) {
      droppedOnOffer += buffer.offer(tick(t));
    }
    assertThat(buffer.dropped()).isEqualTo(8);
    assertThat(droppedOnOffer).as("offer reports each drop once").isEqualTo(8);
    assertThat(buffer.spooledBytes()).isEqualTo(3 * segmentBytes).isLessThanOrEqualTo(spool.maxBytes());
    assertThat(segments(dir)).hasSize(3);
    List<Long> sent = drain(buffer);
    assertThat(sent).isEqualTo(range(9, 21));
    assertThat(sent.size() + buffer.dropped()).as("acknowledged + dropped = offered").isEqualTo(21);
    buffer.close();
  }

  /**
   * Stopping the sender interrupts it, and an interrupt closes the file channel it reads: that is no damaged
   * segment. Dropped as one, with the thread still interrupted, it took every spooled segment with it.
   */
  @Test
  void anInterruptDuringASpoolReadDropsNothing(@TempDir Path dir) throws Exception {
    long segmentBytes = TickSpool.MAGIC.length + 2L * recordBytes();
    TickSpool spool = TickSpool.open(dir, LARGE, segmentBytes);
    TickBuffer buffer = new TickBuffer(1, spool);
    for (long t = 1; t <= 7; t++) {
      buffer.offer(tick(t));
    }
    Thread.currentThread().interrupt();
    try {
      assertThat(spool.next()).as("nothing read while interrupted").isNull();
    } finally {
      Thread.interrupted();
    }
    assertThat(buffer.dropped()).isZero();
    assertThat(drain(buffer)).isEqualTo(range(1, 7));
    buffer.close();
  }

  /** A segment the disk cannot read at start costs its own ticks, not the exporter's start. */
  @Test
  void aSegmentThatCannotBeReadAtStartIsLeftOutAndTheOthersAreSent(@TempDir Path dir) throws Exception {
    TickSpool spool = TickSpool.open(dir, LARGE, TickSpool.MAGIC.length + 2L * recordBytes());
    for (long t = 1; t <= 6; t++) {
      spool.append(tick(t)); // three segments of two
    }
    spool.close();
    List<Path> files = segments(dir);
    assertThat(files).hasSize(3);
    Path unreadable = files.get(1);
    // A directory where a segment file was: reading it fails with an IOException, as EIO would, and, not empty, it
    // cannot be deleted either (on file systems that give a small directory a size below a segment header).
    Files.delete(unreadable);
    Files.createDirectory(unreadable);
    Files.writeString(unreadable.resolve("inside"), "x");
    TickSpool reopened = TickSpool.open(dir, LARGE);
    assertThat(reopened.corruptBytesSkipped()).as("counted as lost").isPositive();
    TickBuffer buffer = new TickBuffer(1, reopened);
    assertThat(drain(buffer)).isEqualTo(List.of(1L, 2L, 5L, 6L));
    buffer.close();
  }

  /** A corrupt length must not be allocated: the limit stays far inside the exporter's 64 MiB heap. */
  @Test
  void aTickOverTheRecordLimitIsDroppedNotWrittenUnreadable(@TempDir Path dir) throws Exception {
    assertThat(TickSpool.MAX_BODY_BYTES).isLessThanOrEqualTo(8 << 20);
    TickSpool spool = TickSpool.open(dir, LARGE);
    byte[] noise = new byte[TickSpool.MAX_BODY_BYTES + 1];
    new java.util.Random(7).nextBytes(noise); // incompressible
    spool.append(TickBuffer.Tick.of("n", 1, noise));
    spool.append(tick(2));
    assertThat(spool.dropped()).isEqualTo(1);
    TickBuffer buffer = new TickBuffer(1, spool);
    assertThat(drain(buffer)).isEqualTo(List.of(2L));
    buffer.close();
  }

  /**
   * The sender stopped mid-drain: the interrupt cuts the spool read short. Taking memory's newer tick then would
   * send it ahead of the spooled ones, and after the restart the aggregator would drop them all as out of order.
   */
  @Test
  void anInterruptedSpoolReadNeverLetsAMemoryTickGoFirst(@TempDir Path dir) throws Exception {
    TickSpool spool = TickSpool.open(dir, LARGE, TickSpool.MAGIC.length + 2L * recordBytes());
    TickBuffer buffer = new TickBuffer(1, spool);
    for (long t = 1; t <= 5; t++) {
      buffer.offer(tick(t)); // 1..4 spooled, 5 in memory
    }
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> buffer.takeForSending(1000)).isInstanceOf(InterruptedException.class);
    } finally {
      Thread.interrupted();
    }
    assertThat(drain(buffer)).isEqualTo(range(1, 5));
    buffer.close();
  }

  /**
   * An interrupt (the tick thread stopped by close()) closes the segment being written: the tick is written again
   * on a reopened file, the interrupt is kept, and the ticks still in memory that close() then spools follow it.
   */
  @Test
  void aWriterChannelClosedByAnInterruptIsOpenedAgainAndNothingDropped(@TempDir Path dir) throws Exception {
    TickSpool spool = TickSpool.open(dir, LARGE);
    spool.append(tick(1));
    Thread.currentThread().interrupt();
    try {
      spool.append(tick(2));
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }
    spool.append(tick(3));
    spool.append(tick(4));
    assertThat(spool.dropped()).isZero();
    TickBuffer buffer = new TickBuffer(1, spool);
    assertThat(drain(buffer)).isEqualTo(List.of(1L, 2L, 3L, 4L));
    buffer.close();
  }

  /** The tick being sent is never counted as dropped, even when the segment it came from is. */
  @Test
  void theTickInFlightFromADroppedSegmentIsStillSentAndNotCounted(@TempDir Path dir) throws Exception {
    long segmentBytes = TickSpool.MAGIC.length + 4L * recordBytes();
    TickBuffer buffer = new TickBuffer(1, TickSpool.open(dir, 2 * segmentBytes - 1, segmentBytes));
    for (long t = 1; t <= 5; t++) {
      buffer.offer(tick(t));
    }
    assertThat(buffer.takeForSending(0).timestampMillis()).isEqualTo(1);
    for (long t = 6; t <= 9; t++) {
      buffer.offer(tick(t));
    }
    assertThat(buffer.dropped()).as("ticks 2, 3 and 4 of the dropped first segment").isEqualTo(3);
    buffer.acknowledged();
    List<Long> sent = new ArrayList<>(List.of(1L));
    sent.addAll(drain(buffer));
    assertThat(sent).isEqualTo(List.of(1L, 5L, 6L, 7L, 8L, 9L));
    assertThat(sent.size() + buffer.dropped()).isEqualTo(9);
    buffer.close();
  }

  @Test
  void oneSpoolDirectoryBelongsToOneExporter(@TempDir Path dir) throws Exception {
    try (TickSpool first = TickSpool.open(dir, LARGE)) {
      assertThatThrownBy(() -> TickSpool.open(dir, LARGE)).isInstanceOf(IOException.class)
          .hasMessageContaining("in use by another exporter").hasMessageContaining("kafka.spool-dir");
    }
    TickSpool.open(dir, LARGE).close();
  }

  /**
   * Segment numbers start again once the spool has emptied, so a cursor left from an earlier run could name a new
   * segment and skip ticks never sent; it is read once.
   */
  @Test
  void aCursorIsReadOnceSoACrashLaterCannotSkipTicksOfANewSegment(@TempDir Path dir) throws Exception {
    TickSpool first = TickSpool.open(dir, LARGE);
    for (long t = 1; t <= 10; t++) {
      first.append(tick(t));
    }
    TickBuffer firstBuffer = new TickBuffer(2, first);
    for (int i = 0; i < 3; i++) {
      firstBuffer.takeForSending(0);
      firstBuffer.acknowledged();
    }
    firstBuffer.close(); // orderly: the cursor says three ticks of segment 0 were acknowledged

    TickSpool second = TickSpool.open(dir, LARGE);
    assertThat(drain(new TickBuffer(2, second))).isEqualTo(range(4, 10));
    assertThat(segments(dir)).as("everything was sent").isEmpty();
    crash(second, dir);

    TickSpool third = TickSpool.open(dir, LARGE);
    for (long t = 101; t <= 110; t++) {
      third.append(tick(t));
    }
    crash(third, dir);

    assertResentAfterRestart(dir, 101, 110);
  }

  @Test
  void theLagCountsFromTheOldestSpooledTickAlsoAfterARestart(@TempDir Path dir) throws Exception {
    TickBuffer buffer = new TickBuffer(2, TickSpool.open(dir, LARGE));
    for (long t = 1; t <= 6; t++) {
      buffer.offer(tick(t * 1000));
    }
    assertThat(buffer.stats().spooledTicks()).as("1 to 4 spooled, 5 and 6 in memory").isEqualTo(4);
    assertThat(buffer.stats().oldestUnacknowledgedMillis()).isEqualTo(1000);
    buffer.takeForSending(0);
    buffer.acknowledged();
    assertThat(buffer.stats().oldestUnacknowledgedMillis()).as("the next unread record of the spool")
        .isEqualTo(2000);
    buffer.close();

    TickBuffer after = new TickBuffer(2, TickSpool.open(dir, LARGE));
    assertThat(after.stats().oldestUnacknowledgedMillis()).as("after the cursor's acknowledged tick")
        .isEqualTo(2000);
    assertThat(after.stats().lagSeconds(12_000)).isEqualTo(10.0);
    after.close();
  }

  /**
   * A full disk still creates a segment file but refuses its header. Played by a JVM whose file size limit is 0
   * ({@code ulimit -f 0}): every write to a file fails as on a full disk, while creating files still works.
   */
  @Test
  void aDiskThatRefusesWritesLeavesNoEmptySegmentFilesBehind(@TempDir Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder("bash", "-c", "ulimit -f 0 && exec \"$0\" \"$@\"", java, "-Xshare:off",
        "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), AppendOnFullDisk.class.getName(),
        dir.toString()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    assertThat(output).contains("dropped 20 of 20");
    assertThat(segments(dir)).as("no segment file left for the ticks the disk refused").isEmpty();
  }

  /** Appends to a spool in a JVM that cannot write to files; without zstd, whose native library is a file. */
  static final class AppendOnFullDisk {
    public static void main(String[] args) throws IOException {
      try (TickSpool spool = TickSpool.open(Path.of(args[0]), LARGE, 64)) {
        for (long t = 1; t <= 20; t++) {
          spool.append(new Tick("node-s", t, new byte[] {1, 2, 3}, 3));
        }
        System.out.println("dropped " + spool.dropped() + " of 20");
      }
    }
  }

  /** The sender's read drops an unreadable segment: the gauges show it at once, not only with the next tick. */
  @Test
  void aSegmentDroppedWhileSendingShowsInTheGaugesAtOnce(@TempDir Path dir) throws Exception {
    TickSpool spool = TickSpool.open(dir, LARGE);
    for (long t = 1; t <= 3; t++) {
      spool.append(tick(t));
    }
    TickBuffer buffer = new TickBuffer(2, spool);
    assertThat(buffer.stats().spooledTicks()).isEqualTo(3);
    try (RandomAccessFile file = new RandomAccessFile(segments(dir).get(0).toFile(), "rw")) {
      file.seek(TickSpool.MAGIC.length + TickSpool.RECORD_HEADER_BYTES + 2);
      file.write(0x5A); // the first record's body no longer matches its CRC
    }
    assertThat(buffer.takeForSending(0)).isNull();
    assertThat(buffer.stats().dropped()).isEqualTo(3);
    assertThat(buffer.stats().spooledTicks()).isZero();
    buffer.close();
  }
}
