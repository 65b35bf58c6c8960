package io.acceltel.exporter.kafka;

import io.acceltel.exporter.kafka.TickBuffer.Tick;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Ticks that overflow the memory buffer, kept on disk in append-only segment files so that a long outage or an
 * exporter restart loses nothing up to {@code kafka.spool-max-bytes}. Ticks are read back oldest first; a segment
 * is deleted once every tick in it was acknowledged, and when the spool outgrows its bound the oldest segment is
 * dropped whole and its unsent ticks counted, so the dropped counter stays exact.
 *
 * <p>A segment is a header ({@link #MAGIC}) followed by records: {@code int bodyLength, int crc32(body), body},
 * where the body is {@code long timestampMillis, int payloadLength, short nodeLength, node (UTF-8), zstd payload}.
 * A record torn by a crash mid-write, or otherwise corrupt, fails its length or CRC check: the segment is read up to
 * it and the rest is skipped, logged and counted once.
 *
 * <p>An orderly close records how far the oldest segment was acknowledged ({@code spool.cursor}, read once and
 * deleted by the next open), so a restart sends nothing twice; after a crash the oldest segment is sent again from
 * its start, and the aggregator ignores the repeats (it drops samples at or before a series' last).
 *
 * <p>Not thread-safe: {@link TickBuffer} calls it under its own lock. One exporter owns a spool directory at a time
 * (an OS file lock, released by the OS if the process dies).
 */
final class TickSpool implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TickSpool.class.getName());
  static final byte[] MAGIC = "ACTSPL01".getBytes(StandardCharsets.US_ASCII);
  static final int RECORD_HEADER_BYTES = 8;
  /**
   * Far above any real tick (~8 KB compressed for 8 GPUs), and well inside the exporter's 64 MiB heap: a larger
   * length can only be a torn or corrupt header, and must not be allocated. A tick that large is not written.
   */
  static final int MAX_BODY_BYTES = 8 << 20;
  private static final int BODY_FIXED_BYTES = 8 + 4 + 2;
  private static final long MAX_SEGMENT_BYTES = 64L << 20;
  private static final Pattern SEGMENT_NAME = Pattern.compile("ticks-(\\d{20})\\.spool");
  private static final String LOCK_FILE = "spool.lock";
  private static final String CURSOR_FILE = "spool.cursor";
  private static final int CURSOR_BYTES = 8 + 8 + 4 + 4;

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ArrayDeque<Segment> segments = new ArrayDeque<>();
  private Segment writer;
  /** The segment the ticks in flight were read from: a batch never spans two segments. */
  private Segment inFlight;
  /** Ticks handed out by {@link #next()} and not acknowledged yet, all read from {@link #inFlight} in order. */
  private int inFlightCount;
  private long nextSequence;
  private long bytes;
  private long ticks;
  private long dropped;
  private long corruptTailsSkipped;
  private long corruptBytesSkipped;
  private boolean appendFailing;

  private TickSpool(Path dir, long maxBytes, long segmentBytes, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Opens (creating it if needed) and locks the spool directory and recovers the ticks a previous run left there.
   * Segments are a sixteenth of the bound (at most 64 MiB), so dropping the oldest one frees a bounded slice.
   */
  static TickSpool open(Path dir, long maxBytes) throws IOException {
    return open(dir, maxBytes, Math.max(MAGIC.length + 1, Math.min(MAX_SEGMENT_BYTES, maxBytes / 16)));
  }

  static TickSpool open(Path dir, long maxBytes, long segmentBytes) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IOException("it is not a directory");
    }
    FileChannel lockChannel;
    try {
      Files.createDirectories(dir);
      lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (FileSystemException e) {
      // Their own message is just the path; say what went wrong with it.
      throw new IOException("cannot create or write to it (" + (e.getReason() != null ? e.getReason()
          : e.getClass().getSimpleName()) + ")", e);
    }
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IOException("it is in use by another exporter; give each exporter its own kafka.spool-dir");
    }
    TickSpool spool = new TickSpool(dir, maxBytes, segmentBytes, lockChannel, lock);
    try {
      spool.recover();
    } catch (IOException | RuntimeException e) {
      spool.close();
      throw e;
    }
    return spool;
  }

  private void recover() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> listing = Files.list(dir)) {
      listing.filter(p -> SEGMENT_NAME.matcher(p.getFileName().toString()).matches()).sorted().forEach(files::add);
    }
    for (Path file : files) {
      Matcher m = SEGMENT_NAME.matcher(file.getFileName().toString());
      m.matches();
      long sequence = Long.parseLong(m.group(1));
      nextSequence = Math.max(nextSequence, sequence + 1);
      SegmentScan scan;
      try {
        scan = scan(file);
        if (scan.records() == 0) {
          Files.deleteIfExists(file);
          continue;
        }
      } catch (IOException e) {
        // A segment the disk cannot read or remove (EIO, permissions) costs its own ticks, not the exporter's
        // start: the same as when it fails to read later, while sending.
        long size = sizeOrZero(file);
        corruptBytesSkipped += size;
        LOG.log(Level.WARNING, "cannot read the spool segment " + file + " (" + e + "); leaving out its " + size
            + " bytes of ticks", e);
        continue;
      }
      Segment segment = new Segment(sequence, file, scan.size(), scan.records());
      segment.nextUnreadMillis = scan.firstMillis();
      segments.addLast(segment);
      bytes += scan.size();
      ticks += scan.records();
    }
    skipAcknowledged();
    if (ticks > 0) {
      LOG.info(() -> "recovered " + ticks + " ticks (" + bytes + " bytes) from the spool " + dir
          + "; sending them before new ones");
    }
  }

  private static long sizeOrZero(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Applies the cursor of the last orderly close: the oldest segment's ticks acknowledged before it. */
  private void skipAcknowledged() throws IOException {
    Path cursorFile = dir.resolve(CURSOR_FILE);
    if (!Files.exists(cursorFile)) {
      return;
    }
    ByteBuffer cursor = ByteBuffer.wrap(Files.readAllBytes(cursorFile));
    // Used once: after a crash later in this run, a leftover cursor could name a new segment that reuses the
    // sequence number (numbering restarts when the spool empties) and skip ticks never sent.
    Files.delete(cursorFile);
    if (segments.isEmpty()) {
      return;
    }
    if (cursor.remaining() != CURSOR_BYTES) {
      return;
    }
    CRC32 crc = new CRC32();
    crc.update(cursor.array(), 0, CURSOR_BYTES - 4);
    long sequence = cursor.getLong();
    long position = cursor.getLong();
    int acknowledged = cursor.getInt();
    Segment oldest = segments.peekFirst();
    // A cursor of a segment that is gone, or that does not fall on a record boundary, is stale: send it all.
    if (cursor.getInt() != (int) crc.getValue() || sequence != oldest.sequence || acknowledged <= 0
        || acknowledged > oldest.records || position < MAGIC.length || position > oldest.size) {
      return;
    }
    if (acknowledged < oldest.records) {
      try {
        oldest.nextUnreadMillis = readRecordAt(oldest.channel(), position, oldest.size).tick().timestampMillis();
      } catch (IOException e) {
        return;
      } finally {
        oldest.closeQuietly();
      }
    }
    oldest.recordsRead = acknowledged;
    oldest.readPosition = position;
    oldest.acknowledgedPosition = position;
    ticks -= acknowledged;
    if (acknowledged == oldest.records) {
      deleteSegment(oldest);
    }
  }

  /** How many whole records a segment holds, and its size; logs and counts a corrupt or torn tail once. */
  private SegmentScan scan(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size == 0) {
        return new SegmentScan(0, 0, Long.MIN_VALUE); // created but never written: nothing was lost
      }
      byte[] magic = new byte[MAGIC.length];
      if (size < MAGIC.length || readFully(channel, ByteBuffer.wrap(magic), 0) < MAGIC.length
          || !Arrays.equals(magic, MAGIC)) {
        skipCorruptTail(file, 0, size, "no valid segment header");
        return new SegmentScan(0, size, Long.MIN_VALUE);
      }
      long position = MAGIC.length;
      int records = 0;
      long firstMillis = Long.MIN_VALUE;
      while (position < size) {
        try {
          Record record = readRecordAt(channel, position, size);
          position += record.bytes();
          if (records++ == 0) {
            firstMillis = record.tick().timestampMillis();
          }
        } catch (CorruptRecordException e) {
          skipCorruptTail(file, position, size, e.getMessage());
          break;
        }
      }
      return new SegmentScan(records, size, firstMillis);
    }
  }

  private void skipCorruptTail(Path file, long at, long size, String why) {
    corruptTailsSkipped++;
    corruptBytesSkipped += size - at;
    LOG.warning(() -> "spool segment " + file + ": the record at byte " + at + " is torn or corrupt (" + why
        + "), probably from a crash mid-write; skipping its last " + (size - at) + " bytes");
  }

  /**
   * Appends a tick at the end of the spool. When that takes the spool over its bound, the oldest segments are
   * dropped and their unsent ticks counted; when the disk refuses the write, this tick is dropped and counted.
   */
  void append(Tick tick) {
    if (!write(tick)) {
      dropped++;
    }
  }

  /**
   * Appends the tick the sender is sending right now from memory, as if {@link #next()} had handed it out: it is
   * older than every tick that overflows after it, so it must come first should the exporter stop before the broker
   * acknowledges it. Only while the spool holds nothing unacknowledged; false when the disk refused it (it then
   * stays memory's, not dropped).
   */
  boolean appendInFlight(Tick tick) {
    if (!empty()) {
      throw new IllegalStateException("a tick from memory can only be in flight while the spool is empty");
    }
    if (!write(tick)) {
      return false;
    }
    writer.recordsRead++;
    writer.readPosition = writer.size;
    inFlight = writer;
    inFlightCount = 1;
    return true;
  }

  /** Whether the spool holds no tick, sent or not: only then may memory's in-flight tick move in. */
  boolean empty() {
    return inFlightCount == 0 && ticks == 0;
  }

  private boolean write(Tick tick) {
    byte[] record = encode(tick);
    if (record.length - RECORD_HEADER_BYTES > MAX_BODY_BYTES) {
      // It could be written but never read back: the length would be taken for a corrupt header.
      LOG.warning(() -> "a tick of " + tick.size() + " compressed bytes is over the spool's record limit of "
          + MAX_BODY_BYTES + " bytes and is dropped");
      return false;
    }
    try {
      try {
        append(record, tick.timestampMillis());
      } catch (ClosedByInterruptException e) {
        // A stop interrupts the tick thread, and the interrupt closed the file under this write: the file is
        // intact (writes go to their position), so write again with the interrupt held back, or a tick that the
        // stop would have kept in the spool is dropped.
        Thread.interrupted();
        try {
          append(record, tick.timestampMillis());
        } finally {
          Thread.currentThread().interrupt();
        }
      }
      appendFailing = false;
    } catch (IOException e) {
      if (!appendFailing) {
        appendFailing = true;
        LOG.log(Level.WARNING, "cannot write to the spool " + dir + "; dropping ticks that overflow the memory "
            + "buffer until it works again", e);
      }
      return false;
    }
    bytes += record.length;
    ticks++;
    while (bytes > maxBytes && segments.size() > 1) {
      dropSegment(segments.peekFirst());
    }
    return true;
  }

  private void append(byte[] record, long timestampMillis) throws IOException {
    if (writer == null || writer.size >= segmentBytes) {
      roll();
    }
    writer.write(record, timestampMillis);
  }

  private void roll() throws IOException {
    if (writer != null) {
      // A sealed segment is never written again; make it durable once rather than on every tick, and let its file
      // go until it is read: an outage rolls a segment every few minutes, each holding a descriptor otherwise.
      writer.channel().force(false);
      writer.writable = false;
      writer.closeQuietly();
    }
    long sequence = nextSequence++;
    Segment segment = Segment.created(sequence, dir.resolve(String.format("ticks-%020d.spool", sequence)));
    segments.addLast(segment);
    writer = segment;
    bytes += MAGIC.length;
  }

  /**
   * The oldest unsent tick, marked in flight until {@link #acknowledged()}; null when the spool holds none. While
   * ticks are in flight it hands out the next ones of the same segment, so that several can be sent at once (null
   * at the segment's end): their acknowledgement is then one position, the end of the last one read.
   */
  Tick next() {
    if (inFlightCount > 0) {
      if (!segments.contains(inFlight) || inFlight.recordsRead == inFlight.records) {
        return null;
      }
      return readNext(inFlight);
    }
    while (!segments.isEmpty()) {
      Segment oldest = segments.peekFirst();
      if (oldest.recordsRead < oldest.records) {
        Tick tick = readNext(oldest);
        if (tick != null) {
          return tick;
        }
        if (segments.contains(oldest)) {
          return null; // an interrupt closed the channel
        }
        continue; // the segment could not be read and was dropped: on to the next
      }
      if (oldest == writer) {
        return null; // everything written so far was sent; keep appending here
      }
      deleteSegment(oldest);
    }
    return null;
  }

  /**
   * The segment's next record, marked in flight; null when an interrupt closed its channel (the segment is fine)
   * or when it could not be read (it is then dropped, its unsent ticks counted).
   */
  private Tick readNext(Segment segment) {
    try {
      Record record = segment.readNext();
      inFlight = segment;
      inFlightCount++;
      return record.tick();
    } catch (ClosedChannelException e) {
      // An interrupt (the sender being stopped) closed the channel mid-read: the segment is fine. Dropping it here,
      // with the thread still interrupted, would drop every segment after it too.
      return null;
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot read the spool segment " + segment.file + "; dropping its "
          + (segment.records - segment.recordsRead) + " unsent ticks", e);
      dropSegment(segment);
      return null;
    }
  }

  /** Every tick handed out by {@link #next()} since the last acknowledgement was acknowledged by the broker. */
  void acknowledged() {
    if (inFlightCount == 0) {
      return;
    }
    ticks -= inFlightCount;
    inFlightCount = 0;
    Segment segment = inFlight;
    inFlight = null;
    // Ticks are handed out in order from one segment, so everything read from it is now acknowledged.
    segment.acknowledgedPosition = segment.readPosition;
    if (segments.contains(segment) && segment.recordsRead == segment.records) {
      deleteSegment(segment);
    }
  }

  /**
   * On stop, with ticks still in flight: if their segment was dropped over the bound meanwhile, they go with it and
   * are counted as dropped now (while running they were still on their way to the broker).
   */
  void abandonInFlight() {
    if (inFlightCount > 0 && !segments.contains(inFlight)) {
      dropped += inFlightCount;
      ticks -= inFlightCount;
      inFlightCount = 0;
      inFlight = null;
    }
  }

  /** Drops a segment whole; its ticks not yet handed out are counted as dropped (an in-flight one is not). */
  private void dropSegment(Segment segment) {
    long unsent = segment.records - segment.recordsRead;
    dropped += unsent;
    ticks -= unsent;
    deleteSegment(segment);
  }

  private void deleteSegment(Segment segment) {
    segments.remove(segment);
    bytes -= segment.size;
    if (segment == writer) {
      writer = null;
    }
    segment.closeQuietly();
    try {
      Files.deleteIfExists(segment.file);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot delete the sent spool segment " + segment.file, e);
    }
  }

  /** The timestamp of the oldest tick not handed out yet, {@link Long#MIN_VALUE} when there is none. */
  long oldestUnsentMillis() {
    for (Segment segment : segments) {
      if (segment.recordsRead < segment.records) {
        return segment.nextUnreadMillis;
      }
    }
    return Long.MIN_VALUE;
  }

  /** Unacknowledged ticks in the spool, including one in flight. */
  long ticks() {
    return ticks;
  }

  /** Bytes of the segment files on disk. */
  long bytes() {
    return bytes;
  }

  /** Ticks the spool dropped: oldest segments over the bound, unreadable segments, writes the disk refused. */
  long dropped() {
    return dropped;
  }

  /** Segments whose torn or corrupt tail was skipped when the spool was opened. */
  long corruptTailsSkipped() {
    return corruptTailsSkipped;
  }

  /**
   * Bytes of those tails, and of whole segments that could not be read at start: the ticks in them are lost, and not
   * in {@link #dropped()}, since without a record's length there is no telling how many there were.
   */
  long corruptBytesSkipped() {
    return corruptBytesSkipped;
  }

  Path directory() {
    return dir;
  }

  long maxBytes() {
    return maxBytes;
  }

  /**
   * Makes what was written durable, records how far the oldest segment was acknowledged and releases the
   * directory; the ticks stay for the next run.
   */
  @Override
  public void close() {
    if (writer != null) {
      try {
        writer.channel().force(false);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "cannot sync the spool segment " + writer.file, e);
      }
    }
    try {
      writeCursor();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot record how far the spool was sent; the next start sends its oldest "
          + "segment again from the start", e);
    }
    segments.forEach(Segment::closeQuietly);
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "releasing the spool lock", e);
    }
  }

  private void writeCursor() throws IOException {
    Path cursorFile = dir.resolve(CURSOR_FILE);
    Segment oldest = segments.peekFirst();
    int acknowledged = oldest == null ? 0 : oldest.recordsRead - (inFlight == oldest ? inFlightCount : 0);
    if (acknowledged == 0) {
      Files.deleteIfExists(cursorFile);
      return;
    }
    ByteBuffer cursor = ByteBuffer.allocate(CURSOR_BYTES);
    cursor.putLong(oldest.sequence).putLong(oldest.acknowledgedPosition).putInt(acknowledged);
    CRC32 crc = new CRC32();
    crc.update(cursor.array(), 0, CURSOR_BYTES - 4);
    cursor.putInt((int) crc.getValue());
    Path temporary = dir.resolve(CURSOR_FILE + ".tmp");
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      cursor.flip();
      while (cursor.hasRemaining()) {
        channel.write(cursor);
      }
      channel.force(false);
    }
    Files.move(temporary, cursorFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static byte[] encode(Tick tick) {
    byte[] node = tick.node().getBytes(StandardCharsets.UTF_8);
    if (node.length > 0xFFFF) {
      throw new IllegalArgumentException("node name longer than 65535 bytes");
    }
    int bodyLength = BODY_FIXED_BYTES + node.length + tick.compressed().length;
    ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER_BYTES + bodyLength);
    record.putInt(bodyLength).putInt(0);
    record.putLong(tick.timestampMillis()).putInt(tick.length()).putShort((short) node.length).put(node)
        .put(tick.compressed());
    CRC32 crc = new CRC32();
    crc.update(record.array(), RECORD_HEADER_BYTES, bodyLength);
    record.putInt(4, (int) crc.getValue());
    return record.array();
  }

  /** Reads and checks the record at {@code position}; a short, oversized or mismatching one is corrupt. */
  private static Record readRecordAt(FileChannel channel, long position, long end) throws IOException {
    if (end - position < RECORD_HEADER_BYTES) {
      throw new CorruptRecordException("only " + (end - position) + " bytes of a record header");
    }
    ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES);
    if (readFully(channel, header, position) < RECORD_HEADER_BYTES) {
      throw new CorruptRecordException("the file ends inside a record header");
    }
    int bodyLength = header.getInt(0);
    int expectedCrc = header.getInt(4);
    if (bodyLength < BODY_FIXED_BYTES || bodyLength > MAX_BODY_BYTES) {
      throw new CorruptRecordException("impossible record length " + bodyLength);
    }
    if (end - position - RECORD_HEADER_BYTES < bodyLength) {
      throw new CorruptRecordException("record of " + bodyLength + " bytes but only "
          + (end - position - RECORD_HEADER_BYTES) + " left");
    }
    ByteBuffer body = ByteBuffer.allocate(bodyLength);
    if (readFully(channel, body, position + RECORD_HEADER_BYTES) < bodyLength) {
      throw new CorruptRecordException("the file ends inside a record");
    }
    CRC32 crc = new CRC32();
    crc.update(body.array());
    if ((int) crc.getValue() != expectedCrc) {
      throw new CorruptRecordException("CRC mismatch");
    }
    long timestamp = body.getLong();
    int payloadLength = body.getInt();
    int nodeLength = Short.toUnsignedInt(body.getShort());
    if (nodeLength > body.remaining() || payloadLength < 0) {
      throw new CorruptRecordException("inconsistent record fields");
    }
    byte[] node = new byte[nodeLength];
    body.get(node);
    byte[] compressed = new byte[body.remaining()];
    body.get(compressed);
    Tick tick = new Tick(new String(node, StandardCharsets.UTF_8), timestamp, compressed, payloadLength);
    return new Record(tick, RECORD_HEADER_BYTES + bodyLength);
  }

  private static int readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
    int total = 0;
    while (into.hasRemaining()) {
      int n = channel.read(into, position + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    into.flip();
    return total;
  }

  private record Record(Tick tick, int bytes) {}

  private record SegmentScan(int records, long size, long firstMillis) {}

  private static final class CorruptRecordException extends IOException {
    CorruptRecordException(String message) {
      super(message);
    }
  }

  /** One segment file; its channel is open only while it is written or read, so a large spool holds few files. */
  private static final class Segment {
    private final long sequence;
    private final Path file;
    private FileChannel channel;
    private long size;
    private int records;
    private int recordsRead;
    private long readPosition = MAGIC.length;
    private long acknowledgedPosition = MAGIC.length;
    /** The timestamp of the first record not read yet, for the lag gauge. */
    private long nextUnreadMillis = Long.MIN_VALUE;

    /** The segment being appended to: its channel, when reopened, must take writes too. */
    private boolean writable;

    private Segment(long sequence, Path file, long size, int records) {
      this.sequence = sequence;
      this.file = file;
      this.size = size;
      this.records = records;
    }

    static Segment created(long sequence, Path file) throws IOException {
      Segment segment = new Segment(sequence, file, 0, 0);
      segment.writable = true;
      segment.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      try {
        segment.writeAt(MAGIC);
      } catch (IOException e) {
        // A full disk still makes the file but refuses its header: without this, every tick that overflows
        // during the outage would leave one more empty file behind.
        segment.closeQuietly();
        try {
          Files.deleteIfExists(file);
        } catch (IOException notDeleted) {
          e.addSuppressed(notDeleted);
        }
        throw e;
      }
      return segment;
    }

    /**
     * The open channel. One that an interrupt closed under another thread's read or write (a shutdown) is opened
     * again: the file is intact, and the ticks still in memory are appended to it on close.
     */
    FileChannel channel() throws IOException {
      if (channel == null || !channel.isOpen()) {
        channel = writable ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
            : FileChannel.open(file, StandardOpenOption.READ);
      }
      return channel;
    }

    void write(byte[] record, long timestampMillis) throws IOException {
      writeAt(record);
      if (recordsRead == records) {
        nextUnreadMillis = timestampMillis;
      }
      records++;
    }

    private void writeAt(byte[] bytes) throws IOException {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      try {
        FileChannel out = channel();
        while (buffer.hasRemaining()) {
          out.write(buffer, size + buffer.position());
        }
      } catch (IOException e) {
        // Cut a partial write off so the next record starts where this one would have; best effort, since a
        // leftover tail is caught by the CRC check anyway.
        try {
          channel.truncate(size);
        } catch (IOException ignored) {
          e.addSuppressed(ignored);
        }
        throw e;
      }
      size += bytes.length;
    }

    Record readNext() throws IOException {
      Record record = readRecordAt(channel(), readPosition, size);
      readPosition += record.bytes();
      recordsRead++;
      if (recordsRead < records) {
        nextUnreadMillis = timestampAt(readPosition, record.tick().timestampMillis());
      }
      return record;
    }

    /**
     * The timestamp of the record at {@code position}, read without its CRC check (a gauge does not need one, and
     * reading the record whole comes next anyway); {@code fallback} when it cannot be read, which must not fail
     * the read of the record before it.
     */
    private long timestampAt(long position, long fallback) {
      ByteBuffer prefix = ByteBuffer.allocate(RECORD_HEADER_BYTES + Long.BYTES);
      try {
        return readFully(channel(), prefix, position) == prefix.capacity() ? prefix.getLong(RECORD_HEADER_BYTES)
            : fallback;
      } catch (IOException e) {
        return fallback;
      }
    }

    void closeQuietly() {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          LOG.log(Level.FINE, "closing " + file, e);
        }
        channel = null;
      }
    }
  }
}
