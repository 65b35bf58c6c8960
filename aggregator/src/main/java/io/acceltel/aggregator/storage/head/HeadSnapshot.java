package io.acceltel.aggregator.storage.head;

import io.acceltel.aggregator.storage.chunk.AggrAppender;
import io.acceltel.aggregator.storage.chunk.AggrIterator;
import io.acceltel.aggregator.storage.chunk.ByteSink;
import io.acceltel.aggregator.storage.chunk.ByteSource;
import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.aggregator.storage.chunk.ChunkIterator;
import io.acceltel.aggregator.storage.chunk.XorAppender;
import io.acceltel.model.series.Labels;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes and reads the head's state for a checkpoint: per series its labels, last timestamp, counter state, raw
 * chunks (the open one too) and, per tier, the filling window's fields and the tier chunks. With it, a restart
 * resumes exactly where the checkpoint was taken: replayed samples at or before each series' last timestamp are
 * dropped and open windows keep aggregating, so tier values stay exact across restarts. Layout in
 * {@code docs/storage-format.md}.
 *
 * <pre>{@code
 * HeadSnapshot.write(head, out, cutEnds);
 * HeadSnapshot.read(freshHead, in);
 * }</pre>
 */
public final class HeadSnapshot {
  private HeadSnapshot() {
  }

  /**
   * Writes every series that still has data in the head; chunks of resolution index r starting before
   * {@code excludeBefore[r]} are left out (they are in blocks written by the same checkpoint). A series with
   * nothing left (it stopped, and all its data is in blocks: a finished job's pods) is not written, so a restart
   * does not bring it back into memory; should it come back, it is a new series, and its old samples are refused
   * as too old. Writer thread only.
   */
  public static void write(Head head, DataOutputStream out, long[] excludeBefore) throws IOException {
    MemIndex index = head.index();
    int n = index.size();
    boolean[] keep = new boolean[n];
    int kept = 0;
    for (int ref = 0; ref < n; ref++) {
      keep[ref] = index.series(ref).holdsDataFrom(excludeBefore);
      kept += keep[ref] ? 1 : 0;
    }
    out.writeInt(kept);
    out.writeLong(head.maxTime());
    ByteSink rec = new ByteSink(4096);
    for (int ref = 0; ref < n; ref++) {
      if (!keep[ref]) {
        continue;
      }
      MemSeries s = index.series(ref);
      rec.clear();
      Labels l = s.labels;
      rec.uvarint(l.size());
      for (int i = 0; i < l.size(); i++) {
        rec.string(l.name(i)).string(l.value(i));
      }
      rec.i64(s.lastT).i64(Double.doubleToRawLongBits(s.counterTotal)).i64(Double.doubleToRawLongBits(s.counterPrev));
      RawHead.State raw = s.raw.state();
      writeChunks(rec, raw.sealed(), excludeBefore[0]);
      if (raw.open() != null) {
        rec.u8(1);
        writeChunk(rec, raw.open().writerSnapshot());
      } else {
        rec.u8(0);
      }
      rec.uvarint(s.tiers.length);
      for (int i = 0; i < s.tiers.length; i++) {
        TierSeries t = s.tiers[i];
        rec.i64(head.tiers().get(i).millis());
        rec.i64(t.windowStart).i64(t.lastT).i64(t.count);
        rec.i64(Double.doubleToRawLongBits(t.sum)).i64(Double.doubleToRawLongBits(t.min))
            .i64(Double.doubleToRawLongBits(t.max)).i64(Double.doubleToRawLongBits(t.last))
            .i64(Double.doubleToRawLongBits(t.counter));
        TierSeries.State st = t.state();
        writeChunks(rec, st.sealed(), excludeBefore[i + 1]);
        Chunk open = st.open() == null ? null : st.open().writerSnapshot();
        if (open != null && open.minTime() >= excludeBefore[i + 1]) {
          rec.u8(1);
          writeChunk(rec, open);
        } else {
          rec.u8(0);
        }
      }
      out.writeInt(rec.length());
      out.write(rec.array(), 0, rec.length());
    }
  }

  private static void writeChunks(ByteSink rec, Chunk[] chunks, long excludeBefore) {
    int first = 0;
    while (first < chunks.length && chunks[first].minTime() < excludeBefore) {
      first++;
    }
    rec.uvarint(chunks.length - first);
    for (int i = first; i < chunks.length; i++) {
      writeChunk(rec, chunks[i]);
    }
  }

  private static void writeChunk(ByteSink rec, Chunk c) {
    rec.varint(c.minTime()).varint(c.maxTime()).uvarint(c.count()).uvarint(c.data().length);
    rec.bytes(c.data(), 0, c.data().length);
  }

  private static Chunk readChunk(ByteSource in) {
    long min = in.varint();
    long max = in.varint();
    int count = in.uvarintInt();
    byte[] data = in.bytes(in.uvarintInt());
    return new Chunk(min, max, count, data);
  }

  private static Chunk[] readChunks(ByteSource in) {
    Chunk[] out = new Chunk[in.uvarintInt()];
    for (int i = 0; i < out.length; i++) {
      out[i] = readChunk(in);
    }
    return out;
  }

  /** Restores series into an empty head. Tiers are matched by resolution; unknown ones are skipped. */
  public static void read(Head head, DataInputStream in) throws IOException {
    int n = in.readInt();
    head.setMaxTime(in.readLong());
    Map<Long, Integer> tierIndex = new HashMap<>();
    for (int i = 0; i < head.tiers().size(); i++) {
      tierIndex.put(head.tiers().get(i).millis(), i);
    }
    ByteSource src = new ByteSource();
    ChunkIterator it = new ChunkIterator();
    AggrIterator ait = new AggrIterator();
    for (int k = 0; k < n; k++) {
      byte[] rec = new byte[in.readInt()];
      in.readFully(rec);
      src.reset(rec, 0, rec.length);
      int pairs = src.uvarintInt();
      String[] nv = new String[pairs * 2];
      for (int i = 0; i < nv.length; i++) {
        nv[i] = src.string();
      }
      MemSeries s = head.index().getOrCreate(Labels.of(nv), head.tiers().size());
      s.lastT = src.i64();
      s.counterTotal = Double.longBitsToDouble(src.i64());
      s.counterPrev = Double.longBitsToDouble(src.i64());
      Chunk[] sealed = readChunks(src);
      XorAppender open = null;
      if (src.u8() == 1) {
        Chunk c = readChunk(src);
        it.reset(c);
        it.next();
        open = new XorAppender(it.timestamp(), it.value(), (c.data().length >>> 3) + 2);
        while (it.next()) {
          open.append(it.timestamp(), it.value());
        }
      }
      s.raw.restore(sealed, open);
      int tiers = src.uvarintInt();
      for (int i = 0; i < tiers; i++) {
        long res = src.i64();
        long windowStart = src.i64();
        long lastT = src.i64();
        long count = src.i64();
        double sum = Double.longBitsToDouble(src.i64());
        double min = Double.longBitsToDouble(src.i64());
        double max = Double.longBitsToDouble(src.i64());
        double last = Double.longBitsToDouble(src.i64());
        double counter = Double.longBitsToDouble(src.i64());
        Chunk[] tierSealed = readChunks(src);
        AggrAppender tierOpen = null;
        if (src.u8() == 1) {
          Chunk c = readChunk(src);
          ait.reset(c);
          tierOpen = new AggrAppender((c.data().length >>> 3) + 2);
          while (ait.next()) {
            tierOpen.append(ait.timestamp(), ait.count(), ait.sum(), ait.min(), ait.max(), ait.last(), ait.counter());
          }
        }
        Integer ti = tierIndex.get(res);
        if (ti == null) {
          continue; // tier removed from the configuration: its head data is dropped
        }
        TierSeries t = s.tiers[ti];
        t.windowStart = windowStart;
        t.lastT = lastT;
        t.count = count;
        t.sum = sum;
        t.min = min;
        t.max = max;
        t.last = last;
        t.counter = counter;
        t.restore(tierSealed, tierOpen);
      }
    }
  }
}
