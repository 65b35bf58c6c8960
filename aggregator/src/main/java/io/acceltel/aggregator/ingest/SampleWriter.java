package io.acceltel.aggregator.ingest;

import io.acceltel.aggregator.rules.StreamingAggregator;
import io.acceltel.aggregator.storage.AppendResult;
import io.acceltel.aggregator.storage.Appender;
import io.acceltel.aggregator.storage.ChangeTracker;
import io.acceltel.aggregator.storage.Storage;
import io.acceltel.model.series.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Logger;

/**
 * The one way samples enter storage, from the Kafka consumer and the remote_write handler alike. Series are striped
 * over locks by ref, each stripe with its own storage lane, so concurrent requests append in parallel as long as
 * they touch different stripes; a series is only ever appended under its stripe's lock. New series are created
 * under a registry lock, and the checkpoint takes every lock ({@link #exclusively}).
 *
 * <p>Refs are valid within a {@link Appender#refGeneration() generation}: a checkpoint may remove stopped series
 * and renumber the rest. Each {@link #write} holds the refs lock for reading from decoding to the last append, and
 * the checkpoint holds it for writing, so a batch's refs never span a renumbering; decoders drop their cached refs
 * when the generation moves.
 *
 * <p>Lock order, so that nothing deadlocks: refs, windows, registry, then stripes in index order, then the streaming
 * aggregation lock. A thread holding a stripe takes no other lock; only the checkpoint holds several stripes.
 */
public final class SampleWriter {
  private static final Logger LOG = Logger.getLogger(SampleWriter.class.getName());
  private final Appender registry;
  private final Appender[] lanes;
  private final ReentrantLock[] stripeLocks;
  private final ReentrantReadWriteLock refsLock = new ReentrantReadWriteLock();
  private final ReentrantLock registryLock = new ReentrantLock();
  private final ReentrantLock aggregationLock = new ReentrantLock();
  /**
   * Held from feeding the streaming aggregation until the windows it closed are appended: two writers that each
   * close a window must append them in the order they closed, or storage drops the earlier one as out of order.
   */
  private final ReentrantLock windowsLock = new ReentrantLock();
  /** Runs after windows closed and before they are appended; a test holds a writer there. */
  private volatile Runnable beforeAppendingWindows = () -> {};
  private final IngestStats stats;
  private final StreamingAggregator aggregations;
  private final ChangeTracker changes;
  private final Storage storage;
  private final int maxSeries;
  /** When a refused series was last logged (nanoTime); under the registry lock. */
  private long refusalLoggedNanos;
  private boolean refusalLogged;

  /** Striped over the storage's lanes: {@link #stripesFor} the cores of this machine; no series limit. */
  public SampleWriter(Storage storage, IngestStats stats, StreamingAggregator aggregations) {
    this(storage, stripesFor(Runtime.getRuntime().availableProcessors()), stats, aggregations, Integer.MAX_VALUE);
  }

  /** Striped over {@code stripes} lanes of the storage (a power of two up to 64); no series limit. */
  public SampleWriter(Storage storage, int stripes, IngestStats stats, StreamingAggregator aggregations) {
    this(storage, stripes, stats, aggregations, Integer.MAX_VALUE);
  }

  /** Announces the input streams (Kafka partitions) this writer will get, before their first batch. */
  public void expectStreams(List<Integer> streams) {
    if (aggregations.isEmpty()) {
      return;
    }
    aggregationLock.lock();
    try {
      streams.forEach(aggregations::expect);
    } finally {
      aggregationLock.unlock();
    }
  }

  /** Series the head may hold; the decoders size their series-key caches by it. */
  public int maxSeries() {
    return maxSeries;
  }

  /**
   * Striped over {@code stripes} lanes of the storage (a power of two up to 64; 1 serializes every append).
   *
   * @param maxSeries series the head may hold: beyond it new series are refused and their samples dropped (counted
   *     as {@code series_limit}), so that a label that explodes the series count cannot run the heap out
   */
  public SampleWriter(Storage storage, int stripes, IngestStats stats, StreamingAggregator aggregations,
      int maxSeries) {
    if (Integer.bitCount(stripes) != 1 || stripes > 64) {
      throw new IllegalArgumentException("stripes must be a power of two up to 64, not " + stripes);
    }
    this.storage = storage;
    this.maxSeries = maxSeries;
    this.registry = storage.appender();
    this.lanes = new Appender[stripes];
    this.stripeLocks = new ReentrantLock[stripes];
    for (int i = 0; i < stripes; i++) {
      lanes[i] = storage.newLane();
      stripeLocks[i] = new ReentrantLock();
    }
    this.stats = stats;
    this.aggregations = aggregations;
    this.changes = storage.changes();
    storage.addRenumberingListener(aggregations::renumbered);
  }

  /** Four stripes per core, so that writers on different cores rarely want the same one. */
  public static int stripesFor(int cores) {
    return Math.min(64, Integer.highestOneBit(Math.max(1, cores) * 4 - 1) << 1);
  }

  /** The resolver decoders use: creates new series under the registry lock and binds them to the rules. */
  public SeriesResolver resolver() {
    return new SeriesResolver() {
      @Override
      public int ref(Labels labels) {
        return resolve(labels);
      }

      @Override
      public long generation() {
        return registry.refGeneration();
      }
    };
  }

  private int resolve(Labels labels) {
    registryLock.lock();
    try {
      if (storage.headSeries() >= maxSeries && !storage.inHead(labels)) {
        logRefusal(labels);
        return SeriesResolver.REFUSED;
      }
      int ref = registry.ref(labels);
      if (!aggregations.isEmpty()) {
        aggregationLock.lock();
        try {
          aggregations.bind(ref, labels);
        } finally {
          aggregationLock.unlock();
        }
      }
      return ref;
    } finally {
      registryLock.unlock();
    }
  }

  /** Logs the first refusal, then at most one a minute: a flood of new series must not flood the log too. */
  private void logRefusal(Labels labels) {
    long now = System.nanoTime();
    if (refusalLogged && now - refusalLoggedNanos < 60_000_000_000L) {
      return;
    }
    refusalLogged = true;
    refusalLoggedNanos = now;
    LOG.warning(() -> "the head holds its maximum of " + maxSeries + " series (max-series): samples of new series, "
        + "such as " + labels.metricName() + ", are dropped and counted in acceltel_aggregator_samples_dropped_total"
        + "{reason=\"series_limit\"}; series that stop leave the head once their data is in blocks. Raise "
        + "max-series (and the heap), or find the label whose values explode the series count");
  }

  /** Decodes a payload, resolving series with {@link #resolver()}. */
  @FunctionalInterface
  public interface Decode {
    void into(SampleBatch batch) throws PoisonRecordException, RemoteWriteDecoder.RequestTooLargeException;
  }

  /**
   * Decodes a record or request whole into the batch (cleared first), then appends it; nothing is appended if
   * decoding refuses it. The refs the decoder resolves stay valid until the batch is appended: no checkpoint
   * renumbers series in between.
   */
  public AppendOutcome write(String source, SampleBatch batch, Decode decode)
      throws PoisonRecordException, RemoteWriteDecoder.RequestTooLargeException {
    return write(source, StreamingAggregator.DEFAULT_STREAM, batch, decode);
  }

  /**
   * As {@link #write(String, SampleBatch, Decode)}, for a batch of one input stream (a Kafka partition): the
   * streaming aggregation closes a window only once every stream still feeding it has passed it.
   */
  public AppendOutcome write(String source, int stream, SampleBatch batch, Decode decode)
      throws PoisonRecordException, RemoteWriteDecoder.RequestTooLargeException {
    refsLock.readLock().lock();
    try {
      batch.clear();
      decode.into(batch);
      return appendDecoded(source, stream, batch);
    } finally {
      refsLock.readLock().unlock();
    }
  }

  /**
   * Appends a decoded batch. Its samples are grouped by stripe; stripes free now are appended first and busy ones
   * after, so two writers mostly work side by side instead of queueing on the same lock.
   */
  private AppendOutcome appendDecoded(String source, int stream, SampleBatch batch) {
    int stripes = lanes.length;
    batch.groupByStripe(stripes);
    Tally tally = new Tally();
    long pending = 0;
    for (int s = 0; s < stripes; s++) {
      if (batch.stripeStart(s) < batch.stripeStart(s + 1)) {
        pending |= 1L << s;
      }
    }
    int first = (int) (Thread.currentThread().getId() & (stripes - 1));
    for (int k = 0; k < stripes && pending != 0; k++) {
      int s = (first + k) & (stripes - 1);
      if ((pending & (1L << s)) != 0 && stripeLocks[s].tryLock()) {
        appendStripe(s, batch, tally);
        pending &= ~(1L << s);
      }
    }
    while (pending != 0) {
      int s = Long.numberOfTrailingZeros(pending);
      stripeLocks[s].lock();
      appendStripe(s, batch, tally);
      pending &= ~(1L << s);
    }
    if (tally.appended > 0 || tally.tooOld > 0) {
      // A sample too old for raw may still have changed a tier window: cached answers from then on are void.
      changes.appended(tally.oldest);
    }
    if (!aggregations.isEmpty() && tally.appended > 0) {
      aggregate(batch, stream);
    }
    stats.appended(source, tally.appended);
    stats.dropped(source, "duplicate_or_out_of_order", tally.duplicates);
    stats.dropped(source, "too_old", tally.tooOld);
    stats.dropped(source, "series_limit", batch.refused());
    stats.skipped(source, batch.skipped());
    return new AppendOutcome(tally.appended, tally.duplicates + tally.tooOld + batch.refused(), batch.refused());
  }

  /** Appends a stripe's samples of the batch; the caller holds the stripe's lock, released here. */
  private void appendStripe(int s, SampleBatch batch, Tally tally) {
    try {
      Appender lane = lanes[s];
      int to = batch.stripeStart(s + 1);
      for (int k = batch.stripeStart(s); k < to; k++) {
        int i = batch.position(k);
        AppendResult r = lane.append(batch.ref(i), batch.timestamp(i), batch.value(i));
        batch.fresh(i, r == AppendResult.APPENDED);
        switch (r) {
          case APPENDED -> tally.appended++;
          case DUPLICATE_OR_OUT_OF_ORDER -> tally.duplicates++;
          case TOO_OLD -> tally.tooOld++;
        }
        if (r != AppendResult.DUPLICATE_OR_OUT_OF_ORDER) {
          tally.oldest = Math.min(tally.oldest, batch.timestamp(i)); // it changed the head (raw, or a tier)
        }
      }
    } finally {
      stripeLocks[s].unlock();
    }
  }

  /**
   * Feeds the freshly appended samples to the streaming aggregation in batch order, then appends the windows that
   * closed, each under its own stripe.
   */
  private void aggregate(SampleBatch batch, int streamId) {
    windowsLock.lock();
    try {
      aggregateInOrder(batch, streamId);
    } finally {
      windowsLock.unlock();
    }
  }

  private void aggregateInOrder(SampleBatch batch, int streamId) {
    List<Emitted> outputs = new ArrayList<>();
    long late = 0;
    aggregationLock.lock();
    try {
      int stream = aggregations.stream(streamId);
      StreamingAggregator.Output collect = (labels, t, v) -> outputs.add(new Emitted(labels, t, v));
      for (int i = 0; i < batch.size(); i++) {
        if (batch.fresh(i)) {
          late += aggregations.add(batch.ref(i), batch.timestamp(i), batch.value(i), stream, collect);
        }
      }
    } finally {
      aggregationLock.unlock();
    }
    stats.dropped("aggregation_rules", "late", late);
    if (!outputs.isEmpty()) {
      beforeAppendingWindows.run();
    }
    int appended = 0;
    long oldest = Long.MAX_VALUE;
    for (Emitted out : outputs) {
      int ref = resolve(out.labels());
      if (ref == SeriesResolver.REFUSED) {
        stats.dropped("aggregation_rules", "series_limit", 1);
        continue;
      }
      int s = ref & (lanes.length - 1);
      stripeLocks[s].lock();
      try {
        AppendResult r = lanes[s].append(ref, out.timestamp(), out.value());
        if (r == AppendResult.APPENDED) {
          appended++;
        }
        if (r != AppendResult.DUPLICATE_OR_OUT_OF_ORDER) {
          oldest = Math.min(oldest, out.timestamp()); // too old for raw, it still went into the tiers
        }
      } finally {
        stripeLocks[s].unlock();
      }
    }
    if (oldest != Long.MAX_VALUE) {
      changes.appended(oldest);
    }
    stats.appended("aggregation_rules", appended);
  }

  void beforeAppendingWindows(Runnable hook) {
    beforeAppendingWindows = hook;
  }

  /** Runs work that must not interleave with writes, appends or new series (the checkpoint, which may renumber). */
  public void exclusively(Runnable work) {
    refsLock.writeLock().lock();
    registryLock.lock();
    int locked = 0;
    try {
      for (ReentrantLock stripe : stripeLocks) {
        stripe.lock();
        locked++;
      }
      work.run();
    } finally {
      for (int i = locked - 1; i >= 0; i--) {
        stripeLocks[i].unlock();
      }
      registryLock.unlock();
      refsLock.writeLock().unlock();
    }
  }

  private static final class Tally {
    int appended;
    long oldest = Long.MAX_VALUE;
    int duplicates;
    int tooOld;
  }

  private record Emitted(Labels labels, long timestamp, double value) {}

  /**
   * How many samples of a batch were stored and how many dropped.
   *
   * @param refused of those dropped, the samples of new series refused because the head holds max-series
   */
  public record AppendOutcome(int appended, int dropped, int refused) {}
}
