package io.acceltel.aggregator.ingest;

import io.acceltel.aggregator.rules.StreamingAggregator;
import io.acceltel.aggregator.storage.AppendResult;
import io.acceltel.aggregator.storage.Appender;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one way samples enter storage. Storage takes a single writer at a time, and both the Kafka consumer and the
 * remote_write handler write, so every batch is decoded and appended under one lock (the decoders resolve new
 * series through the appender too).
 */
public final class SampleWriter {
  private final Appender appender;
  private final IngestStats stats;
  private final StreamingAggregator aggregations;
  private final StreamingAggregator.Output appendOutput;
  private final ReentrantLock lock = new ReentrantLock();

  public SampleWriter(Appender appender, IngestStats stats) {
    this(appender, stats, new StreamingAggregator(List.of()));
  }

  /** With streaming aggregation rules, whose outputs are appended as ordinary series. */
  public SampleWriter(Appender appender, IngestStats stats, StreamingAggregator aggregations) {
    this.appender = appender;
    this.stats = stats;
    this.aggregations = aggregations;
    this.appendOutput = (labels, t, v) -> {
      if (appender.append(appender.ref(labels), t, v) == AppendResult.APPENDED) {
        stats.appended("aggregation_rules", 1);
      }
    };
  }

  /**
   * The resolver decoders use. It takes the write lock itself (it is reentrant), so a decoder may run outside the
   * lock and only a series seen for the first time waits for it: see {@link #appendDecoded}.
   */
  public SeriesResolver resolver() {
    return labels -> {
      lock.lock();
      try {
        int ref = appender.ref(labels);
        aggregations.bind(ref, labels);
        return ref;
      } finally {
        lock.unlock();
      }
    };
  }

  /** Work done under the write lock: decode a payload and return its samples. */
  @FunctionalInterface
  public interface Decode {
    void into(SampleBatch batch) throws PoisonRecordException, RemoteWriteDecoder.TooManySeriesException;
  }

  /** Decodes and appends one record or request under the lock; nothing is appended if decoding refuses it. */
  public AppendOutcome write(String source, SampleBatch batch, Decode decode)
      throws PoisonRecordException, RemoteWriteDecoder.TooManySeriesException {
    lock.lock();
    try {
      decode.into(batch);
      return appendLocked(source, batch);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends a batch that was decoded outside the lock (with {@link #resolver()}), so concurrent requests decode in
   * parallel and only the appends are serialized.
   */
  public AppendOutcome appendDecoded(String source, SampleBatch batch) {
    lock.lock();
    try {
      return appendLocked(source, batch);
    } finally {
      lock.unlock();
    }
  }

  private AppendOutcome appendLocked(String source, SampleBatch batch) {
    int appended = 0;
    int duplicates = 0;
    int tooOld = 0;
    for (int i = 0; i < batch.size(); i++) {
      AppendResult r = appender.append(batch.ref(i), batch.timestamp(i), batch.value(i));
      switch (r) {
        case APPENDED -> {
          appended++;
          aggregations.add(batch.ref(i), batch.timestamp(i), batch.value(i), appendOutput);
        }
        case DUPLICATE_OR_OUT_OF_ORDER -> duplicates++;
        case TOO_OLD -> tooOld++;
      }
    }
    stats.appended(source, appended);
    stats.dropped(source, "duplicate_or_out_of_order", duplicates);
    stats.dropped(source, "too_old", tooOld);
    stats.skipped(source, batch.skipped());
    return new AppendOutcome(appended, duplicates + tooOld);
  }

  /** Runs work that must not interleave with appends (the checkpoint). */
  public void exclusively(Runnable work) {
    lock.lock();
    try {
      work.run();
    } finally {
      lock.unlock();
    }
  }

  /** How many samples of a batch were stored and how many dropped. */
  public record AppendOutcome(int appended, int dropped) {}
}
