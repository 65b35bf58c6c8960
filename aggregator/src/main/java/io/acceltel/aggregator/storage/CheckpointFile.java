package io.acceltel.aggregator.storage;

import io.acceltel.aggregator.storage.block.FileUtil;
import io.acceltel.aggregator.storage.head.Head;
import io.acceltel.aggregator.storage.head.HeadSnapshot;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * The checkpoint file: the source offsets it covers, the blocks that make up the storage, per resolution the
 * first time still accepted and the retention horizon, then the head snapshot, and a CRC32. It is the single
 * commit point of the storage: blocks on disk that it does not list are leftovers of an interrupted checkpoint
 * and are deleted at open. Written to a temp file, fsynced, renamed over the old one, directory fsynced.
 */
final class CheckpointFile {
  static final String NAME = "checkpoint";
  private static final int MAGIC = 0x41434B50; // "ACKP"
  private static final int VERSION = 1;

  /** What a checkpoint holds besides the head. */
  record Contents(Map<String, Long> offsets, Map<Long, long[]> resolutionState, List<String> blocks) {
  }

  private CheckpointFile() {
  }

  /**
   * Writes the checkpoint and renames it into place: once this returns it is the one a restart reads. The directory
   * entry is made durable by {@link #syncDirectory} after the caller has taken the new state on: a failure there
   * must not leave memory behind a checkpoint that is already in place. On a failure here the temporary file is
   * removed and the previous checkpoint stands.
   *
   * @param resolutionState resolution millis → {minValid, retainedFrom}
   * @param excludeBefore per resolution index, head chunks starting before it are left out (they are in blocks)
   */
  static void write(Path dir, Contents c, Head head, long[] excludeBefore) throws IOException {
    Path tmp = dir.resolve(NAME + ".tmp");
    try {
      writeAndRename(tmp, dir, c, head, excludeBefore);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /** Makes the rename of the last {@link #write} durable. */
  static void syncDirectory(Path dir) throws IOException {
    FileUtil.fsyncDir(dir);
  }

  private static void writeAndRename(Path tmp, Path dir, Contents c, Head head, long[] excludeBefore)
      throws IOException {
    CRC32 crc = new CRC32();
    try (OutputStream fos = Files.newOutputStream(tmp);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(fos, crc),
            1 << 16))) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(c.offsets().size());
      for (Map.Entry<String, Long> e : c.offsets().entrySet()) {
        out.writeUTF(e.getKey());
        out.writeLong(e.getValue());
      }
      out.writeInt(c.resolutionState().size());
      for (Map.Entry<Long, long[]> e : c.resolutionState().entrySet()) {
        out.writeLong(e.getKey());
        out.writeLong(e.getValue()[0]);
        out.writeLong(e.getValue()[1]);
      }
      out.writeInt(c.blocks().size());
      for (String b : c.blocks()) {
        out.writeUTF(b);
      }
      HeadSnapshot.write(head, out, excludeBefore);
      out.flush();
      // The CRC covers everything above; the trailer goes around the checksumming stream.
      long value = crc.getValue();
      DataOutputStream raw = new DataOutputStream(fos);
      raw.writeLong(value);
      raw.flush();
    }
    FileUtil.fsync(tmp);
    Files.move(tmp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Reads the checkpoint into an empty head; null when there is none (a new data directory). */
  static Contents read(Path dir, Head head) throws IOException {
    Path file = dir.resolve(NAME);
    if (!Files.exists(file)) {
      return null;
    }
    verifyCrc(file); // before anything is parsed: the lengths below are then known to be the ones written
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      if (in.readInt() != MAGIC) {
        throw new IOException(file + " is not an acceltel checkpoint (bad magic)");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException(file + " has version " + version + "; this build reads " + VERSION);
      }
      Map<String, Long> offsets = new LinkedHashMap<>();
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        offsets.put(in.readUTF(), in.readLong());
      }
      Map<Long, long[]> res = new LinkedHashMap<>();
      n = in.readInt();
      for (int i = 0; i < n; i++) {
        res.put(in.readLong(), new long[] {in.readLong(), in.readLong()});
      }
      List<String> blocks = new ArrayList<>();
      n = in.readInt();
      for (int i = 0; i < n; i++) {
        blocks.add(in.readUTF());
      }
      HeadSnapshot.read(head, in);
      return new Contents(offsets, res, blocks);
    } catch (EOFException e) {
      throw new IOException(file + " is truncated", e);
    }
  }

  /**
   * Checks the CRC before anything is parsed: a damaged length field would otherwise ask for a gigantic array
   * (OutOfMemoryError) before the CRC at the end could say what is wrong, and how to start anyway.
   */
  private static void verifyCrc(Path file) throws IOException {
    long size = Files.size(file);
    if (size < Long.BYTES) {
      throw new IOException(file + " is truncated");
    }
    CRC32 crc = new CRC32();
    try (InputStream in = Files.newInputStream(file)) { // read in its own 64 KiB chunks below
      byte[] buffer = new byte[1 << 16];
      long left = size - Long.BYTES;
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new IOException(file + " is truncated");
        }
        crc.update(buffer, 0, n);
        left -= n;
      }
      if (new DataInputStream(in).readLong() != crc.getValue()) {
        throw new IOException(file + " fails its CRC: the file is damaged. Move it away to start from the blocks"
            + " alone, and replay the source from its earliest retained offset");
      }
    }
  }
}
