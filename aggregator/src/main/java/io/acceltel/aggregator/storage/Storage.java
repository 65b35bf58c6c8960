package io.acceltel.aggregator.storage;

import io.acceltel.aggregator.storage.block.Block;
import io.acceltel.aggregator.storage.block.BlockWriter;
import io.acceltel.aggregator.storage.block.FileUtil;
import io.acceltel.aggregator.storage.chunk.Chunk;
import io.acceltel.aggregator.storage.head.Head;
import io.acceltel.aggregator.storage.head.MemSeries;
import io.acceltel.aggregator.storage.head.RawHead;
import io.acceltel.aggregator.storage.head.TierSeries;
import io.acceltel.model.series.Labels;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The aggregator's time-series storage: a head of compressed per-series chunks, downsampling tiers fed at ingest,
 * immutable blocks per resolution on disk, retention, and a checkpoint that records the Kafka offsets it covers.
 * Kafka is the write-ahead log: after a crash, {@link #open} restores the last checkpoint and the ingest replays
 * from {@link #checkpointedOffsets()}; replayed samples at or before each series' last timestamp are dropped, so
 * replay is idempotent.
 *
 * <pre>{@code
 * try (Storage storage = Storage.open(Path.of("/var/lib/acceltel"), StorageConfig.defaults())) {
 *   Map<String, Long> from = storage.checkpointedOffsets();      // seek the consumer here
 *   Appender app = storage.appender();                          // the ingest thread only
 *   int ref = app.ref(labels);
 *   app.append(ref, timestampMillis, value);
 *   storage.checkpoint(Map.of("acceltel.metrics.v1/0", nextOffset));   // same thread, every N seconds
 *   List<SeriesData> data = storage.querier().select(matchers, mint, maxt, Resolution.RAW);  // any thread
 * }
 * }</pre>
 *
 * <p>Threads: one writer at a time calls {@link #appender()}'s methods and {@link #checkpoint}, or several
 * {@link #newLane() lanes} append in parallel to disjoint series with the checkpoint excluded; any number of
 * threads query. Consistency: a checkpoint first writes new blocks (not yet referenced), then the checkpoint file listing
 * them (the commit point), then, under a short write lock that queries also take while collecting head chunks,
 * swaps the block set and drops the head chunks now in blocks. Queries never see data twice or miss it.
 */
public final class Storage implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Storage.class.getName());
  private final Path dir;
  private final Path blocksDir;
  private final StorageConfig config;
  private final List<Resolution> resolutions;
  private final Head head;
  private final ReentrantReadWriteLock publishLock = new ReentrantReadWriteLock();
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final StorageQuerier querier;
  private final ChangeTracker changes = new ChangeTracker();
  private volatile BlockSet blocks;
  private volatile Map<String, Long> offsets;
  /** The head's change count when the last checkpoint was written; -1 before the first. Writer thread only. */
  private long changesAtCheckpoint = -1;
  private volatile long lastCheckpointMillis;
  private final AtomicLong checkpointFailures = new AtomicLong();
  /** Expired blocks kept on disk until a checkpoint that no longer lists them is durable; writer only. */
  private final List<Path> expiredUnsynced = new ArrayList<>();
  /** The last checkpoint's rename is in place but its directory fsync failed: retried at the next checkpoint. */
  private boolean syncPending;
  /**
   * Per resolution, minValid as of the last committed checkpoint (null before the first attempt since open, when
   * the head's is that). A failed attempt raises the head's as it cuts; the retry must start its first block where
   * the committed blocks end, not there, or it could overlap them.
   */
  private long[] minValidCommitted;

  private Storage(Path dir, StorageConfig config, FileChannel lockChannel, FileLock lock) throws IOException {
    this.dir = dir;
    this.blocksDir = dir.resolve("blocks");
    this.config = config;
    this.resolutions = config.resolutions();
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.head = new Head(config);
    CheckpointFile.Contents cp = CheckpointFile.read(dir, head);
    this.offsets = cp == null ? Map.of() : Map.copyOf(cp.offsets());
    long[] retainedFrom = new long[resolutions.size()];
    java.util.Arrays.fill(retainedFrom, Long.MIN_VALUE);
    if (cp != null) {
      for (int r = 0; r < resolutions.size(); r++) {
        long[] st = cp.resolutionState().get(resolutions.get(r).millis());
        if (st != null) {
          head.setMinValid(r, st[0]);
          retainedFrom[r] = st[1];
        }
      }
    }
    List<List<Block>> byRes = new ArrayList<>();
    for (int r = 0; r < resolutions.size(); r++) {
      byRes.add(new ArrayList<>());
    }
    List<String> foreign = new ArrayList<>();
    // Without a checkpoint (a first start, or one moved away because it was damaged) the blocks on disk are all
    // there is: adopt the complete ones. Replay then refills the head, and minValid below drops what they hold.
    Set<String> listed = new HashSet<>(cp == null ? completeBlocks(blocksDir) : cp.blocks());
    if (cp == null && !listed.isEmpty()) {
      LOG.warning("no checkpoint in " + dir + ": starting from the " + listed.size() + " blocks under blocks/ alone; "
          + "the head (the newest samples) comes back only as far as the source can replay it");
    }
    try {
      for (String name : List.copyOf(listed)) {
        if (!Files.isDirectory(blocksDir.resolve(name))) {
          LOG.warning("block " + name + " is listed in the checkpoint but missing from " + blocksDir
              + ": its samples are gone; starting without it");
          listed.remove(name);
          continue;
        }
        Block b = Block.open(blocksDir.resolve(name));
        int r = resolutions.indexOf(b.meta().resolution());
        if (r < 0) {
          foreign.add(name);
          b.retire(); // kept on disk for a configuration that has its resolution, not read by this one
        } else {
          byRes.get(r).add(b);
          // A block's range is closed for appends even if the checkpoint predates a config change.
          head.setMinValid(r, Math.max(head.minValid(r), b.meta().maxTime()));
        }
      }
    } catch (IOException | RuntimeException e) {
      // A damaged block stops the start: the ones opened before it must not stay mapped (an open retried in the
      // same process, as a test or an embedding does, would map them again).
      byRes.forEach(blocks -> blocks.forEach(Block::retire));
      throw e;
    }
    // Anything else under blocks/ is a leftover of an interrupted checkpoint (or a temp directory): not committed.
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(blocksDir)) {
      for (Path p : ds) {
        if (!listed.contains(p.getFileName().toString())) {
          FileUtil.deleteRecursively(p);
        }
      }
    }
    if (cp == null) {
      // Without the checkpoint's record of what retention deleted, a resolution with retention is taken to hold
      // nothing before its oldest block: a query reaching further back then reads a coarser resolution, rather than
      // an empty stretch of this one.
      for (int r = 0; r < resolutions.size(); r++) {
        if (config.retentionMillis(resolutions.get(r)) > 0 && !byRes.get(r).isEmpty()) {
          retainedFrom[r] = byRes.get(r).stream().mapToLong(b -> b.meta().minTime()).min().getAsLong();
        }
      }
    }
    this.blocks = new BlockSet(byRes, retainedFrom, foreign);
    this.querier = new StorageQuerier(this);
  }

  /** Block directories that were completely written: renamed into place, not a {@code .tmp-} leftover. */
  private static Set<String> completeBlocks(Path blocksDir) throws IOException {
    Set<String> complete = new HashSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(blocksDir)) {
      for (Path p : ds) {
        if (Files.isDirectory(p) && !BlockWriter.isTemporary(p)) {
          complete.add(p.getFileName().toString());
        }
      }
    }
    return complete;
  }

  /**
   * Opens (creating when absent) a data directory: loads the blocks and the last checkpoint. Takes an exclusive
   * lock on {@code dataDir/LOCK}; a second open of the same directory fails until this one is closed.
   */
  public static Storage open(Path dataDir, StorageConfig config) throws IOException {
    Files.createDirectories(dataDir.resolve("blocks"));
    FileChannel ch = FileChannel.open(dataDir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null; // held by this same JVM: another Storage on the directory is still open
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      throw new IOException("data directory " + dataDir + " is in use by another process (LOCK is held);"
          + " stop it or give this one its own directory");
    }
    try {
      return new Storage(dataDir, config, ch, lock);
    } catch (IOException | RuntimeException e) {
      lock.release();
      ch.close();
      throw e;
    }
  }

  /** The appender; use it from one thread only (the same that calls {@link #checkpoint}). */
  public Appender appender() {
    return head;
  }

  /**
   * An appender for one of several writers running in parallel. Lanes may append at the same time provided no two
   * of them append to the same series at once and none appends during {@link #checkpoint}: callers stripe series
   * over locks and take them all for the checkpoint. Series are still created through {@link #appender()}'s
   * {@code ref}, by one thread at a time.
   */
  public Appender newLane() {
    return head.newLane();
  }

  /**
   * Where appends into settled time and retention's deletions are noted, for caches of query answers. Whoever
   * appends reports its batches ({@link ChangeTracker#appended}); the storage reports what retention deletes.
   */
  public ChangeTracker changes() {
    return changes;
  }

  /**
   * Told whenever a checkpoint removes stopped series and renumbers the others; for state kept by ref outside the
   * storage. Listeners run inside the checkpoint, while nothing appends.
   */
  public void addRenumberingListener(RefRenumbering listener) {
    head.addRenumberingListener(listener);
  }

  /** How many series the head holds now. */
  public int headSeries() {
    return head.index().size();
  }

  /** Whether the head holds a series with exactly these labels. */
  public boolean inHead(Labels labels) {
    return head.index().contains(labels);
  }

  /** A thread-safe querier over the whole storage. */
  public Querier querier() {
    return querier;
  }

  public StorageConfig config() {
    return config;
  }

  /** The offsets of the last checkpoint ("topic/partition" → next offset to read); empty when none. */
  public Map<String, Long> checkpointedOffsets() {
    return offsets;
  }

  /**
   * Persists the storage so that a restart resumes exactly here, recording {@code sourceOffsets} ("topic/partition"
   * → next offset to read) as covered. Cuts the blocks that are due and deletes expired ones (unless disabled in
   * the config). Writer thread only; blocks appends for its duration (seconds for a large head).
   *
   * <p>Nothing is written when nothing was appended since the last checkpoint and the offsets are the same: blocks
   * and retention follow the newest sample, so such a checkpoint would rewrite the same head. An idle aggregator
   * then costs no CPU or disk writes every interval.
   */
  public void checkpoint(Map<String, Long> sourceOffsets) throws IOException {
    try {
      checkpointNow(sourceOffsets);
      lastCheckpointMillis = System.currentTimeMillis();
    } catch (IOException | RuntimeException e) {
      checkpointFailures.incrementAndGet();
      throw e;
    }
  }

  /** The newest sample's timestamp in milliseconds, Long.MIN_VALUE before the first. */
  public long newestSampleMillis() {
    return head.maxTime();
  }

  /** Wall-clock time of the last checkpoint that succeeded (or found nothing to write); 0 before the first. */
  public long lastCheckpointMillis() {
    return lastCheckpointMillis;
  }

  /** Checkpoints that failed since the storage was opened; the next one retries, Kafka still holds the data. */
  public long checkpointFailures() {
    return checkpointFailures.get();
  }

  private void checkpointNow(Map<String, Long> sourceOffsets) throws IOException {
    long changesNow = head.changes();
    if (changesNow == changesAtCheckpoint && offsets.equals(sourceOffsets)) {
      if (syncPending) {
        makeDurable();
      }
      return;
    }
    if (minValidCommitted == null) {
      minValidCommitted = new long[resolutions.size()];
      for (int r = 0; r < resolutions.size(); r++) {
        minValidCommitted[r] = head.minValid(r);
      }
    }
    BlockSet current = blocks;
    // Blocks this checkpoint writes: until it is committed they are nobody's, and a failure must not leave them
    // mapped and on disk (a full disk would fill up further at every retry).
    List<Block> created = new ArrayList<>();
    try {
      checkpointNow(sourceOffsets, changesNow, current, created);
    } catch (IOException | RuntimeException e) {
      discard(created, e);
      throw e;
    }
  }

  private void discard(List<Block> created, Exception failure) {
    for (Block b : created) {
      b.retire();
      try {
        FileUtil.deleteRecursively(b.dir());
      } catch (IOException e) {
        failure.addSuppressed(e); // left for the next open, which deletes blocks its checkpoint does not list
      }
    }
  }

  private void checkpointNow(Map<String, Long> sourceOffsets, long changesNow, BlockSet current, List<Block> created)
      throws IOException {
    int nres = resolutions.size();
    long now = head.maxTime();
    long[] cutEnd = new long[nres];
    java.util.Arrays.fill(cutEnd, Long.MIN_VALUE);
    List<List<Block>> next = new ArrayList<>();
    for (int r = 0; r < nres; r++) {
      next.add(new ArrayList<>(current.blocks(r)));
    }
    if (config.cutBlocksOnCheckpoint() && now != Long.MIN_VALUE) {
      long rawCutBefore = head.minValid(0);
      for (int r = 0; r < nres; r++) {
        if (r == 1 && head.minValid(0) != rawCutBefore) {
          // After the raw cut, before the tiers': windows raw no longer takes samples of go into this cut too.
          head.completeTierWindowsEndedIn(rawCutBefore, head.minValid(0));
        }
        long span = config.blockMillis(resolutions.get(r));
        while (true) {
          long min = head.minTime(r, cutEnd[r]);
          if (min == Long.MAX_VALUE) {
            break;
          }
          // Blocks start on span boundaries, but never before the last block's end: a span lengthened across a
          // restart would otherwise give a block overlapping the ones before, and readers need them disjoint.
          long aligned = Math.floorDiv(min, span) * span;
          long floor = cutEnd[r] == Long.MIN_VALUE ? minValidCommitted[r] : head.minValid(r);
          long start = min >= floor ? Math.max(aligned, floor) : aligned;
          long end = aligned + span; // minValid <= min, so a later start is still in min's span
          // Keep 1 to 1.5 spans in the head, as Prometheus does: late windows and chunks can still complete.
          if (end + span / 2 > now) {
            break;
          }
          head.sealBefore(r, end);
          List<BlockWriter.SeriesChunks> series = collect(r, cutEnd[r], end);
          long reach = reach(series);
          boolean tooRecent = false;
          while (reach > end) {
            // Chunks cut under a longer block duration (changed across a restart) end past this block: widen it
            // to whole spans that cover them, rather than fail every checkpoint from now on.
            end = Math.floorDiv(reach + span - 1, span) * span;
            if (end + span / 2 > now) {
              tooRecent = true;
              break;
            }
            head.sealBefore(r, end);
            series = collect(r, cutEnd[r], end);
            reach = reach(series);
          }
          if (tooRecent) {
            break;
          }
          if (!series.isEmpty()) {
            Path p = BlockWriter.write(blocksDir, resolutions.get(r), start, end, series);
            Block block;
            try {
              block = Block.open(p);
            } catch (IOException | RuntimeException e) {
              FileUtil.deleteRecursively(p); // written, not yet anyone's
              throw e;
            }
            created.add(block);
            next.get(r).add(block);
          }
          cutEnd[r] = end;
          head.setMinValid(r, Math.max(head.minValid(r), end));
        }
      }
    }
    long[] retainedFrom = current.retainedFrom();
    List<Block> expired = new ArrayList<>();
    if (config.retentionOnCheckpoint() && now != Long.MIN_VALUE) {
      for (int r = 0; r < nres; r++) {
        long keep = config.retentionMillis(resolutions.get(r));
        if (keep <= 0) {
          continue;
        }
        long horizon = now - keep;
        for (Block b : new ArrayList<>(next.get(r))) {
          if (b.meta().maxTime() <= horizon) {
            next.get(r).remove(b);
            expired.add(b);
            retainedFrom[r] = Math.max(retainedFrom[r], b.meta().maxTime());
          }
        }
      }
    }
    BlockSet updated = new BlockSet(next, retainedFrom, current.foreign());
    Map<Long, long[]> resState = new LinkedHashMap<>();
    for (int r = 0; r < nres; r++) {
      resState.put(resolutions.get(r).millis(), new long[] {head.minValid(r), retainedFrom[r]});
    }
    Map<String, Long> offsetsCopy = Map.copyOf(new TreeMap<>(sourceOffsets));
    CheckpointFile.write(dir, new CheckpointFile.Contents(offsetsCopy, resState, updated.names()), head, cutEnd);
    created.clear(); // the checkpoint in place lists them
    // Committed. Publish: queries either see the old blocks with the untrimmed head, or the new ones trimmed.
    publishLock.writeLock().lock();
    try {
      blocks = updated;
      for (int r = 0; r < nres; r++) {
        if (cutEnd[r] != Long.MIN_VALUE) {
          head.trimBefore(r, cutEnd[r]);
        }
      }
    } finally {
      publishLock.writeLock().unlock();
    }
    offsets = offsetsCopy;
    changesAtCheckpoint = changesNow;
    for (int r = 0; r < nres; r++) {
      minValidCommitted[r] = head.minValid(r);
    }
    if (anyCut(cutEnd)) {
      // Only after a cut can series have emptied; renumbering voids the ingest's ref caches, so not more often.
      int removed = head.removeStoppedSeries();
      if (removed > 0) {
        LOG.fine(() -> "removed " + removed + " stopped series from the head; their data is in blocks");
      }
    }
    if (!expired.isEmpty()) {
      changes.deleted();
    }
    if (anyCut(cutEnd)) {
      changes.completed();
    }
    // Retired first: a delete that fails must not leave the blocks after it mapped (and their space taken) for good.
    expired.forEach(Block::retire);
    // Their files go once this checkpoint is durable: until then a crash could bring back the one that lists them.
    expired.forEach(b -> expiredUnsynced.add(b.dir()));
    syncPending = true;
    makeDurable();
  }

  /**
   * Makes the checkpoint in place durable, then deletes the expired blocks it no longer lists. A failed fsync is
   * thrown (the checkpoint counts as failed and the next one, even with nothing new, tries again); a block that
   * cannot be deleted is logged and kept for the next time, and fails nothing: the data is safe either way.
   */
  private void makeDurable() throws IOException {
    CheckpointFile.syncDirectory(dir);
    syncPending = false;
    boolean deleted = false;
    for (Path p : new ArrayList<>(expiredUnsynced)) {
      try {
        FileUtil.deleteRecursively(p);
        expiredUnsynced.remove(p);
        deleted = true;
      } catch (IOException e) {
        LOG.log(Level.WARNING, "cannot delete the expired block " + p + " yet (retried at the next checkpoint, "
            + "and at the next start)", e);
      }
    }
    if (deleted) {
      FileUtil.fsyncDir(blocksDir);
    }
  }

  private static boolean anyCut(long[] cutEnd) {
    for (long end : cutEnd) {
      if (end != Long.MIN_VALUE) {
        return true;
      }
    }
    return false;
  }

  /** The head's sums, added up by {@link #stats()} in one walk. */
  private static final class HeadSizes {
    long series;
    long rawSamples;
    long rawBytes;
    long tierBytes;
  }

  /** The end (exclusive) of the latest of these chunks. */
  private static long reach(List<BlockWriter.SeriesChunks> series) {
    long reach = Long.MIN_VALUE;
    for (BlockWriter.SeriesChunks s : series) {
      for (Chunk c : s.chunks()) {
        reach = Math.max(reach, c.maxTime() + 1);
      }
    }
    return reach;
  }

  /** The head's chunks of resolution r within [from, end), per series sorted by labels. Writer thread. */
  private List<BlockWriter.SeriesChunks> collect(int r, long from, long end) {
    List<BlockWriter.SeriesChunks> out = new ArrayList<>();
    int n = head.index().size();
    for (int ref = 0; ref < n; ref++) {
      MemSeries s = head.index().series(ref);
      Chunk[] sealed = r == 0 ? s.raw().state().sealed() : s.tier(r - 1).state().sealed();
      List<Chunk> chunks = new ArrayList<>();
      for (Chunk c : sealed) {
        if (c.minTime() >= from && c.minTime() < end) {
          chunks.add(c);
        }
      }
      if (!chunks.isEmpty()) {
        out.add(new BlockWriter.SeriesChunks(s.labels(), chunks));
      }
    }
    out.sort(Comparator.comparing(BlockWriter.SeriesChunks::labels));
    return out;
  }

  /** Sizes for monitoring and benchmarks; walks the head, so call it seconds apart, not per sample. */
  public StorageStats stats() {
    HeadSizes sizes = new HeadSizes();
    head.index().forEach(s -> {
      sizes.series++;
      RawHead.State st = s.raw().state();
      for (Chunk c : st.sealed()) {
        sizes.rawSamples += c.count();
        sizes.rawBytes += c.data().length;
      }
      if (st.open() != null) {
        sizes.rawSamples += st.open().count();
        sizes.rawBytes += st.open().byteSize();
      }
      for (int i = 0; i < resolutions.size() - 1; i++) {
        TierSeries.State ts = s.tier(i).state();
        for (Chunk c : ts.sealed()) {
          sizes.tierBytes += c.data().length;
        }
        if (ts.open() != null) {
          sizes.tierBytes += ts.open().byteSize();
        }
      }
    });
    BlockSet bs = blocks;
    Map<Resolution, Long> disk = new LinkedHashMap<>();
    Map<Resolution, Long> diskSamples = new LinkedHashMap<>();
    Map<Resolution, Integer> count = new LinkedHashMap<>();
    for (int r = 0; r < resolutions.size(); r++) {
      long b = 0;
      long smp = 0;
      for (Block blk : bs.blocks(r)) {
        b += blk.bytes();
        smp += blk.meta().numSamples();
      }
      disk.put(resolutions.get(r), b);
      diskSamples.put(resolutions.get(r), smp);
      count.put(resolutions.get(r), bs.blocks(r).size());
    }
    return new StorageStats(sizes.series, head.index().removed(), head.appended(), head.dropped(), sizes.rawSamples,
        sizes.rawBytes, sizes.tierBytes, disk, diskSamples, count);
  }

  /**
   * Releases the directory lock and the blocks' mappings; a query still running afterwards finds the blocks empty.
   */
  @Override
  public void close() throws IOException {
    BlockSet last = blocks;
    for (int r = 0; r < resolutions.size(); r++) {
      last.blocks(r).forEach(Block::retire);
    }
    try {
      lock.release();
    } finally {
      lockChannel.close();
    }
  }

  // ---- for StorageQuerier

  Head head() {
    return head;
  }

  BlockSet blocks() {
    return blocks;
  }

  List<Resolution> resolutions() {
    return resolutions;
  }

  ReentrantReadWriteLock publishLock() {
    return publishLock;
  }
}
