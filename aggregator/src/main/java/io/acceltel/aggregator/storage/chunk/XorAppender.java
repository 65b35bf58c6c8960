package io.acceltel.aggregator.storage.chunk;

/**
 * The open (head) chunk of one series: Prometheus-style delta-of-delta millisecond timestamps and Gorilla XOR
 * values appended into a {@link BitWriter}, allocation-free except when the buffer grows.
 *
 * <p>One writer thread appends; any thread may take a {@link #snapshot()} concurrently. Ordering: the writer
 * writes the sample's bits first and then stores {@code count} (release); a reader loads {@code count} (acquire) first and
 * then the buffer, so every bit of the first {@code count} samples is visible to it. Bits past those may be half
 * written, but the snapshot's header says {@code count} and decoding never reaches them.
 *
 * <pre>{@code
 * XorAppender a = new XorAppender(t0, v0, 4);
 * a.append(t1, v1);
 * Chunk c = a.snapshot();        // immutable copy, safe to decode on another thread
 * }</pre>
 */
public final class XorAppender {
  private final BitWriter bits;
  private final XorColumn values = new XorColumn();
  private final long firstTime;
  private long lastTime;
  private long lastDelta;
  /** Published with release semantics (see the class comment); a plain mov on x86, unlike a volatile store. */
  private int count;
  private static final java.lang.invoke.VarHandle COUNT;
  /** Written (opaque: never torn) before the count's release store, so a snapshot gets an upper time bound. */
  private static final java.lang.invoke.VarHandle LAST_TIME;

  static {
    try {
      COUNT = java.lang.invoke.MethodHandles.lookup().findVarHandle(XorAppender.class, "count", int.class);
      LAST_TIME = java.lang.invoke.MethodHandles.lookup().findVarHandle(XorAppender.class, "lastTime", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  public XorAppender(long t, double v, int initialWords) {
    bits = new BitWriter(initialWords);
    firstTime = t;
    lastTime = t;
    values.writeFirst(bits, v);
    COUNT.setRelease(this, 1);
  }

  /** Appends a sample; the caller guarantees {@code t > lastTime()}. */
  public void append(long t, double v) {
    long delta = t - lastTime;
    // The second sample's delta goes through the dod buckets as a dod from 0: 1000 ms fits in 16 bits.
    Codec.writeDod(bits, delta - lastDelta);
    values.write(bits, v);
    lastDelta = delta;
    LAST_TIME.setOpaque(this, t);
    COUNT.setRelease(this, count + 1); // publishes the bits above (single writer: no lost update)
  }

  /** Any thread: the number of published samples. */
  public int count() {
    return (int) COUNT.getAcquire(this);
  }

  public long firstTime() {
    return firstTime;
  }

  /** Writer thread only. */
  public long lastTime() {
    return lastTime;
  }

  /** Encoded size so far, in bytes (rounded up). */
  public int byteSize() {
    return (bits.bitLength() + 7) >>> 3;
  }

  /** Number of 64-bit words this chunk ended with: a good initial size for the next chunk of the series. */
  public int wordsUsed() {
    return (bits.bitLength() + 63) >>> 6;
  }

  /**
   * An immutable copy in the sealed format (flags 0: dod timestamps, XOR values). Safe from any thread. Its
   * {@code maxTime} is an upper bound: the last sample's time, or a later one when an append races the snapshot,
   * which only widens the chunk's selection (readers filter samples by time as they decode).
   */
  public Chunk snapshot() {
    int n = count(); // acquire load first: see the class comment
    long maxTime = (long) LAST_TIME.getOpaque(this); // at least sample n-1's time: written before count's release
    int bitLen = bits.bitLength();
    byte[] data = ChunkFormat.plain(n, firstTime, bits.words(), bitLen);
    return new Chunk(firstTime, maxTime, n, data);
  }

  /** Writer-side snapshot: like {@link #snapshot()} but knows the max time without decoding. */
  public Chunk writerSnapshot() {
    int n = count();
    return new Chunk(firstTime, lastTime, n, ChunkFormat.plain(n, firstTime, bits.words(), bits.bitLength()));
  }
}
