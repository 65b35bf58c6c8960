package io.acceltel.aggregator.storage.chunk;

/**
 * The open chunk of one series in one tier: one point per completed window, holding the window's last raw
 * timestamp, count, sum, min, max, last and counter. Layout (see {@code docs/storage-format.md}): per window a
 * dod timestamp, the count as a Rice(0) zig-zag delta, and five Gorilla XOR columns in one bit stream.
 *
 * <p>Publication works as in {@link XorAppender}: bits first, then the count (release store).
 *
 * <pre>{@code
 * AggrAppender a = new AggrAppender(2);
 * a.append(lastT, count, sum, min, max, last, counter);
 * Chunk c = a.snapshot();
 * }</pre>
 */
public final class AggrAppender {
  private final BitWriter bits;
  // The five XOR columns' state (previous bits, zero window) in fields: a window point touches this object and the
  // bit buffer only, not one more object per column, which matters with hundreds of thousands of open chunks.
  private long sumBits;
  private long minBits;
  private long maxBits;
  private long lastBits;
  private long counterBits;
  private int sumWindow;
  private int minWindow;
  private int maxWindow;
  private int lastWindow;
  private int counterWindow;
  private long firstTime;
  private long lastTime;
  private long lastDelta;
  private long lastCount;
  /** Published with release semantics (see the class comment); a plain mov on x86, unlike a volatile store. */
  private int count;
  private static final java.lang.invoke.VarHandle COUNT;
  /** Written (opaque: never torn) before the count's release store, so a snapshot gets an upper time bound. */
  private static final java.lang.invoke.VarHandle LAST_TIME;

  static {
    try {
      COUNT = java.lang.invoke.MethodHandles.lookup().findVarHandle(AggrAppender.class, "count", int.class);
      LAST_TIME = java.lang.invoke.MethodHandles.lookup().findVarHandle(AggrAppender.class, "lastTime", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  public AggrAppender(int initialWords) {
    bits = new BitWriter(initialWords);
  }

  /** Appends one window point; the caller guarantees {@code t > lastTime()} and {@code count >= 1}. */
  public void append(long t, long n, double s, double mn, double mx, double l, double c) {
    long sb = Double.doubleToRawLongBits(s);
    long mnb = Double.doubleToRawLongBits(mn);
    long mxb = Double.doubleToRawLongBits(mx);
    long lb = Double.doubleToRawLongBits(l);
    long cb = Double.doubleToRawLongBits(c);
    if (count == 0) { // writer's own field: a plain read is current
      firstTime = t;
      bits.writeBits(n, 32);
      bits.writeBits(sb, 64);
      bits.writeBits(mnb, 64);
      bits.writeBits(mxb, 64);
      bits.writeBits(lb, 64);
      bits.writeBits(cb, 64);
      sumWindow = minWindow = maxWindow = lastWindow = counterWindow = XorColumn.NO_WINDOW;
    } else {
      long delta = t - lastTime;
      Codec.writeDod(bits, delta - lastDelta);
      lastDelta = delta;
      Codec.writeRice(bits, Codec.zigzag(n - lastCount), 0);
      sumWindow = XorColumn.write(bits, sumBits, sumWindow, sb);
      minWindow = XorColumn.write(bits, minBits, minWindow, mnb);
      maxWindow = XorColumn.write(bits, maxBits, maxWindow, mxb);
      lastWindow = XorColumn.write(bits, lastBits, lastWindow, lb);
      counterWindow = XorColumn.write(bits, counterBits, counterWindow, cb);
    }
    sumBits = sb;
    minBits = mnb;
    maxBits = mxb;
    lastBits = lb;
    counterBits = cb;
    LAST_TIME.setOpaque(this, t);
    lastCount = n;
    COUNT.setRelease(this, count + 1); // after the bits: publishes them to snapshot()
  }

  /** Any thread: the number of published samples. */
  public int count() {
    return (int) COUNT.getAcquire(this);
  }

  /** Writer thread only. */
  public long firstTime() {
    return firstTime;
  }

  /** Writer thread only. */
  public long lastTime() {
    return lastTime;
  }

  public int byteSize() {
    return (bits.bitLength() + 7) >>> 3;
  }

  public int wordsUsed() {
    return (bits.bitLength() + 63) >>> 6;
  }

  /**
   * Immutable copy; safe from any thread. Null when empty. Its {@code maxTime} is an upper bound, as in
   * {@link XorAppender#snapshot()}.
   */
  public Chunk snapshot() {
    int n = count();
    if (n == 0) {
      return null;
    }
    long maxT = (long) LAST_TIME.getOpaque(this);
    int bitLen = bits.bitLength();
    // firstTime is written before the first count store, so it is visible once n > 0.
    return new Chunk(firstTime, maxT, n, ChunkFormat.plain(n, firstTime, bits.words(), bitLen));
  }

  /** Writer-side copy in the appender's own form (max time known without decoding). Null when empty. */
  public Chunk writerSnapshot() {
    int n = count();
    if (n == 0) {
      return null;
    }
    return new Chunk(firstTime, lastTime, n, ChunkFormat.plain(n, firstTime, bits.words(), bits.bitLength()));
  }

  /** Writer side: the chunk in its sealed, columnar form ({@link TierChunkCompactor}). Null when empty. */
  public Chunk seal(TierChunkCompactor compactor) {
    Chunk plain = writerSnapshot();
    return plain == null ? null : compactor.compact(plain);
  }
}
