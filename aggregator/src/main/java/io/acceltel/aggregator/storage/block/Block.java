package io.acceltel.aggregator.storage.block;

import io.acceltel.aggregator.storage.chunk.ByteSource;
import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.aggregator.storage.chunk.CorruptChunkException;
import io.acceltel.aggregator.storage.index.LabelIndex;
import io.acceltel.aggregator.storage.index.Postings;
import io.acceltel.model.series.Labels;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * A loaded, immutable block: its index (symbols, series labels, chunk metadata, postings built at load) in memory
 * and its chunks file memory-mapped. Thread-safe. Deleting the directory while a query reads is safe on Linux:
 * the mapping stays valid until {@link #retire()} and the end of the reads in progress, when it is freed.
 *
 * <pre>{@code
 * Block b = Block.open(dir);
 * int[] refs = MatcherSelector.select(b, matchers);
 * List<Chunk> chunks = b.chunks(refs[0], mint, maxt);
 * }</pre>
 */
public final class Block implements LabelIndex {
  private final Path dir;
  private final BlockMeta meta;
  private final Labels[] series;
  private final int[] firstChunk;
  private final long[] chunkMin;
  private final long[] chunkMax;
  private final int[] chunkCount;
  private final long[] chunkOffset;
  private final int[] chunkLength;
  private final Map<String, Map<String, int[]>> postings;
  /**
   * The chunks file mapped in segments of {@link #SEGMENT} bytes, each overlapping the next by {@link #OVERLAP},
   * so files over 2 GiB map and every chunk (at most OVERLAP bytes) lies whole in the segment of its offset.
   */
  private final MappedByteBuffer[] chunks;
  private final long bytes;
  /**
   * Holders of the mapping: 1 for the storage until {@link #retire()}, plus one per {@link #chunks} call in
   * progress. The mapping is freed when it drops to 0, and never taken again after that.
   */
  private final AtomicInteger holders = new AtomicInteger(1);
  private final AtomicBoolean retired = new AtomicBoolean();

  static final long SEGMENT = 1L << 30;
  static final long OVERLAP = 8L << 20;

  private Block(Path dir, BlockMeta meta, Labels[] series, int[] firstChunk, long[] chunkMin, long[] chunkMax,
      int[] chunkCount, long[] chunkOffset, int[] chunkLength, Map<String, Map<String, int[]>> postings,
      MappedByteBuffer[] chunks, long bytes) {
    this.dir = dir;
    this.meta = meta;
    this.series = series;
    this.firstChunk = firstChunk;
    this.chunkMin = chunkMin;
    this.chunkMax = chunkMax;
    this.chunkCount = chunkCount;
    this.chunkOffset = chunkOffset;
    this.chunkLength = chunkLength;
    this.postings = postings;
    this.chunks = chunks;
    this.bytes = bytes;
  }

  /**
   * The block's meta.json, which must name the directory it is in: it has no checksum of its own, and its time
   * range decides what the head refuses as too old and the name the checkpoint lists, so a damaged one must stop
   * the start rather than turn away every new sample, or have the next start delete the block as unlisted.
   */
  private static BlockMeta meta(Path dir) throws IOException {
    Path file = dir.resolve("meta.json");
    String fix = ": the file is damaged; delete the block directory to drop its data";
    BlockMeta meta;
    try {
      meta = BlockMeta.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (CharacterCodingException | IllegalArgumentException e) {
      throw new IOException("block meta " + file + " cannot be read (" + e.getClass().getSimpleName() + ")" + fix,
          e);
    }
    String name = dir.getFileName().toString();
    if (!meta.dirName().equals(name)) {
      throw new IOException("block meta " + file + " describes block " + meta.dirName() + ", not " + name + fix);
    }
    return meta;
  }

  public static Block open(Path dir) throws IOException {
    BlockMeta meta = meta(dir);
    if (meta.version() != BlockMeta.VERSION) {
      throw new IOException("block " + dir + " has format version " + meta.version() + "; this build reads "
          + BlockMeta.VERSION);
    }
    byte[] idx = Files.readAllBytes(dir.resolve("index"));
    if (idx.length < BlockWriter.INDEX_MAGIC.length + 8) {
      throw new IOException("block index " + dir.resolve("index") + " is truncated");
    }
    CRC32 crc = new CRC32();
    crc.update(idx, 0, idx.length - 8);
    ByteSource trailer = new ByteSource(Arrays.copyOfRange(idx, idx.length - 8, idx.length));
    if (trailer.i64() != crc.getValue()) {
      throw new IOException("block index " + dir.resolve("index") + " fails its CRC: the file is damaged;"
          + " delete the block directory to drop its data");
    }
    for (int i = 0; i < BlockWriter.INDEX_MAGIC.length; i++) {
      if (idx[i] != BlockWriter.INDEX_MAGIC[i]) {
        throw new IOException("block index " + dir.resolve("index") + " has a bad magic/version");
      }
    }
    try {
      ByteSource in = new ByteSource();
      in.reset(idx, BlockWriter.INDEX_MAGIC.length, idx.length - 8);
      String[] symbols = new String[in.uvarintInt()];
      for (int i = 0; i < symbols.length; i++) {
        symbols[i] = in.string();
      }
      int n = in.uvarintInt();
      Labels[] series = new Labels[n];
      int[] firstChunk = new int[n + 1];
      // Every chunk takes index bytes: a damaged count must not size arrays beyond what the index can hold.
      int cap = Math.max(16, (int) Math.min(idx.length, meta.numChunks()));
      long[] cMin = new long[cap];
      long[] cMax = new long[cap];
      int[] cCount = new int[cap];
      long[] cOff = new long[cap];
      int[] cLen = new int[cap];
      Map<String, Map<String, List<Integer>>> post = new HashMap<>();
      long offset = BlockWriter.CHUNKS_MAGIC.length;
      int c = 0;
      for (int s = 0; s < n; s++) {
        String[] nv = new String[in.uvarintInt() * 2];
        for (int i = 0; i < nv.length; i++) {
          nv[i] = symbols[in.uvarintInt()];
        }
        series[s] = Labels.of(nv);
        for (int i = 0; i < nv.length; i += 2) {
          post.computeIfAbsent(nv[i], k -> new HashMap<>()).computeIfAbsent(nv[i + 1], k -> new ArrayList<>()).add(s);
        }
        firstChunk[s] = c;
        int nc = in.uvarintInt();
        long prevMax = meta.minTime();
        for (int j = 0; j < nc; j++, c++) {
          if (c == cMin.length) {
            int grown = cMin.length * 2;
            cMin = Arrays.copyOf(cMin, grown);
            cMax = Arrays.copyOf(cMax, grown);
            cCount = Arrays.copyOf(cCount, grown);
            cOff = Arrays.copyOf(cOff, grown);
            cLen = Arrays.copyOf(cLen, grown);
          }
          cMin[c] = prevMax + in.varint();
          cMax[c] = cMin[c] + in.uvarint();
          cCount[c] = in.uvarintInt();
          cLen[c] = in.uvarintInt();
          cOff[c] = offset;
          offset += cLen[c];
          prevMax = cMax[c];
        }
      }
      firstChunk[n] = c;
      Map<String, Map<String, int[]>> postings = new HashMap<>();
      post.forEach((name, values) -> {
        Map<String, int[]> m = new HashMap<>();
        values.forEach((v, refs) -> m.put(v, refs.stream().mapToInt(Integer::intValue).toArray()));
        postings.put(name, m);
      });
      for (int j = 0; j < c; j++) {
        if (cLen[j] > OVERLAP) {
          throw new IOException("block " + dir + " holds a chunk of " + cLen[j] + " bytes; at most " + OVERLAP
              + " are supported");
        }
      }
      MappedByteBuffer[] mapped;
      try (FileChannel ch = FileChannel.open(dir.resolve("chunks"), StandardOpenOption.READ)) {
        if (ch.size() != offset) {
          throw new IOException("block chunks file " + dir.resolve("chunks") + " is " + ch.size()
              + " bytes; the index expects " + offset);
        }
        int segments = (int) ((ch.size() + SEGMENT - 1) / SEGMENT);
        mapped = new MappedByteBuffer[Math.max(1, segments)];
        for (int i = 0; i < mapped.length; i++) {
          long start = i * SEGMENT;
          long len = Math.min(ch.size() - start, SEGMENT + OVERLAP);
          mapped[i] = ch.map(FileChannel.MapMode.READ_ONLY, start, Math.max(0, len));
        }
      }
      long bytes = FileUtil.sizeOf(dir);
      return new Block(dir, meta, series, firstChunk, cMin, cMax, cCount, cOff, cLen, postings, mapped, bytes);
    } catch (CorruptChunkException e) {
      throw new IOException("block index " + dir.resolve("index") + " is damaged: " + e.getMessage(), e);
    }
  }

  public Path dir() {
    return dir;
  }

  public BlockMeta meta() {
    return meta;
  }

  public long bytes() {
    return bytes;
  }

  public int seriesCount() {
    return series.length;
  }

  public boolean overlaps(long mint, long maxt) {
    return meta.minTime() <= maxt && meta.maxTime() > mint;
  }

  /** Whether series {@code ref} has a chunk overlapping [mint, maxt]. */
  public boolean hasData(int ref, long mint, long maxt) {
    for (int c = firstChunk[ref]; c < firstChunk[ref + 1]; c++) {
      if (chunkMin[c] <= maxt && chunkMax[c] >= mint) {
        return true;
      }
    }
    return false;
  }

  /**
   * Chunks of series {@code ref} overlapping [mint, maxt], copied out of the mapping, in time order; none once the
   * block is {@link #retire retired} (retention deleted it while a query was on its way to it).
   */
  public List<Chunk> chunks(int ref, long mint, long maxt) {
    if (!hold()) {
      return List.of();
    }
    try {
      List<Chunk> out = new ArrayList<>();
      for (int c = firstChunk[ref]; c < firstChunk[ref + 1]; c++) {
        if (chunkMin[c] <= maxt && chunkMax[c] >= mint) {
          byte[] data = new byte[chunkLength[c]];
          long off = chunkOffset[c];
          chunks[(int) (off / SEGMENT)].get((int) (off % SEGMENT), data);
          out.add(new Chunk(chunkMin[c], chunkMax[c], chunkCount[c], data));
        }
      }
      return out;
    } finally {
      letGo();
    }
  }

  /** Takes a hold on the mapping; false once it is freed. */
  boolean hold() {
    for (int n = holders.get(); n > 0; n = holders.get()) {
      if (holders.compareAndSet(n, n + 1)) {
        return true;
      }
    }
    return false;
  }

  void letGo() {
    if (holders.decrementAndGet() == 0) {
      Unmapper.unmap(chunks);
    }
  }

  /**
   * The storage no longer lists this block (retention deleted it): its mapping, and with it the disk space of the
   * deleted file, is freed as soon as the reads in progress end, instead of whenever the collector gets to it.
   */
  public void retire() {
    if (retired.compareAndSet(false, true)) {
      letGo();
    }
  }

  /** Whether the mapping has been freed: retired, and no read was left in progress. */
  boolean unmapped() {
    return holders.get() == 0;
  }

  @Override
  public int[] allPostings() {
    int[] all = new int[series.length];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return all;
  }

  @Override
  public Collection<String> values(String name) {
    Map<String, int[]> m = postings.get(name);
    return m == null ? List.of() : m.keySet();
  }

  @Override
  public int[] postings(String name, String value) {
    Map<String, int[]> m = postings.get(name);
    int[] p = m == null ? null : m.get(value);
    return p == null ? Postings.EMPTY : p;
  }

  @Override
  public Labels labels(int ref) {
    return series[ref];
  }

  @Override
  public String toString() {
    return "block " + meta.dirName();
  }
}
