package io.acceltel.aggregator.storage.block;

import io.acceltel.aggregator.storage.Resolution;
import io.acceltel.aggregator.storage.chunk.ByteSink;
import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.model.series.Labels;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.CRC32;

/**
 * Writes one immutable block directory atomically: files go to {@code .tmp-<name>}, are fsynced, the directory is
 * renamed into place and the parent fsynced. A crash leaves either no block or a complete one (a leftover temp
 * directory is removed at open). Series must be given sorted by labels, each with chunks in time order, all inside
 * {@code [minTime, maxTime)}.
 *
 * <pre>{@code
 * Path dir = BlockWriter.write(blocksDir, Resolution.RAW, 0, 7_200_000, seriesList);
 * }</pre>
 */
public final class BlockWriter {
  static final byte[] CHUNKS_MAGIC = {'A', 'C', 'T', 'C', 1};
  static final byte[] INDEX_MAGIC = {'A', 'C', 'T', 'I', 1};
  private static final String TEMPORARY_PREFIX = ".tmp-";

  /** One series of a block. */
  public record SeriesChunks(Labels labels, List<Chunk> chunks) {
  }

  private BlockWriter() {
  }

  /** Whether {@code dir} is a block still being written (or left half-written by a crash). */
  public static boolean isTemporary(Path dir) {
    return dir.getFileName().toString().startsWith(TEMPORARY_PREFIX);
  }

  /**
   * Writes a block and renames it into place. On a failure (a full disk) nothing of it is left: neither the
   * temporary directory nor, when only the last fsync failed, the renamed one, which no checkpoint lists yet.
   */
  public static Path write(Path blocksDir, Resolution res, long minTime, long maxTime, List<SeriesChunks> series)
      throws IOException {
    String name = BlockMeta.dirName(res, minTime, maxTime);
    Path tmp = blocksDir.resolve(TEMPORARY_PREFIX + name);
    Path dst = blocksDir.resolve(name);
    try {
      writeAndRename(blocksDir, tmp, dst, res, minTime, maxTime, series);
      return dst;
    } catch (IOException | RuntimeException e) {
      for (Path left : List.of(tmp, dst)) {
        try {
          FileUtil.deleteRecursively(left);
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    }
  }

  private static void writeAndRename(Path blocksDir, Path tmp, Path dst, Resolution res, long minTime, long maxTime,
      List<SeriesChunks> series) throws IOException {
    FileUtil.deleteRecursively(tmp);
    Files.createDirectories(tmp);

    TreeSet<String> symbolSet = new TreeSet<>();
    for (SeriesChunks s : series) {
      for (int i = 0; i < s.labels().size(); i++) {
        symbolSet.add(s.labels().name(i));
        symbolSet.add(s.labels().value(i));
      }
    }
    List<String> symbols = new ArrayList<>(symbolSet);
    java.util.Map<String, Integer> symbolIds = new java.util.HashMap<>();
    for (int i = 0; i < symbols.size(); i++) {
      symbolIds.put(symbols.get(i), i);
    }

    long numChunks = 0;
    long numSamples = 0;
    ByteSink index = new ByteSink(1 << 16);
    index.bytes(INDEX_MAGIC, 0, INDEX_MAGIC.length);
    index.uvarint(symbols.size());
    for (String s : symbols) {
      index.string(s);
    }
    index.uvarint(series.size());
    try (OutputStream chunks = Files.newOutputStream(tmp.resolve("chunks"))) {
      chunks.write(CHUNKS_MAGIC);
      Labels prev = null;
      for (SeriesChunks s : series) {
        if (prev != null && prev.compareTo(s.labels()) >= 0) {
          throw new IllegalArgumentException("block series must be sorted and unique: " + s.labels() + " after "
              + prev);
        }
        prev = s.labels();
        index.uvarint(s.labels().size());
        for (int i = 0; i < s.labels().size(); i++) {
          index.uvarint(symbolIds.get(s.labels().name(i))).uvarint(symbolIds.get(s.labels().value(i)));
        }
        index.uvarint(s.chunks().size());
        long prevMax = minTime;
        for (Chunk c : s.chunks()) {
          if (c.minTime() < minTime || c.maxTime() >= maxTime) {
            throw new IllegalArgumentException("chunk [" + c.minTime() + ", " + c.maxTime() + "] of " + s.labels()
                + " is outside block [" + minTime + ", " + maxTime + ")");
          }
          // Chunk starts are delta-coded against the previous chunk's end: small numbers, short varints.
          index.varint(c.minTime() - prevMax).uvarint(c.maxTime() - c.minTime()).uvarint(c.count())
              .uvarint(c.data().length);
          prevMax = c.maxTime();
          chunks.write(c.data());
          numChunks++;
          numSamples += c.count();
        }
      }
    }
    CRC32 crc = new CRC32();
    crc.update(index.array(), 0, index.length());
    index.i64(crc.getValue());
    Files.write(tmp.resolve("index"), index.toArray());
    BlockMeta meta = new BlockMeta(BlockMeta.VERSION, res, minTime, maxTime, series.size(), numChunks, numSamples);
    Files.writeString(tmp.resolve("meta.json"), meta.toJson(), StandardCharsets.UTF_8);
    FileUtil.fsync(tmp.resolve("chunks"));
    FileUtil.fsync(tmp.resolve("index"));
    FileUtil.fsync(tmp.resolve("meta.json"));
    FileUtil.fsyncDir(tmp);
    FileUtil.deleteRecursively(dst); // an orphan of a crashed checkpoint may hold the name
    Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE);
    FileUtil.fsyncDir(blocksDir);
  }
}
