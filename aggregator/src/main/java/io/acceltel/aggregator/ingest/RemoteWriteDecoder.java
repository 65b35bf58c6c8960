package io.acceltel.aggregator.ingest;

import io.acceltel.model.series.Labels;
import io.acceltel.model.text.Excerpt;
import java.util.Arrays;
import java.util.TreeMap;

/**
 * Decodes a Prometheus remote_write 1.0 {@code WriteRequest} (already snappy-decompressed) into a
 * {@link SampleBatch}. As for OTLP, a series is found by hashing the raw bytes of its labels in a
 * {@link SeriesKeyCache}; labels are parsed and validated only the first time a series is seen.
 *
 * <p>Validation follows Prometheus: a metric name is required, label names match {@code [a-zA-Z_][a-zA-Z0-9_]*},
 * no label name repeats; acceltel's own bounds ({@link LabelLimits}); a timestamp not negative nor more than
 * {@code maxFutureMillis} ahead. A series (or sample) that breaks a rule is left out alone and counted
 * ({@link #invalid()}), as Mimir does: a sender drops a request answered 4xx, and one such series (a dotted name
 * from a Prometheus that allows UTF-8 names, a kube-state-metrics annotation over the bounds) would otherwise lose
 * all the others, every time. A payload that does not decode (protobuf, UTF-8) is refused whole; one over
 * {@code maxSeries} or {@code maxSamples} is too large (HTTP 413).
 */
public final class RemoteWriteDecoder {

  private static final int NOT_CONTIGUOUS = -1;
  /** The ref of a series that cannot be stored: its samples are dropped and counted, the others stored. */
  private static final int INVALID = Integer.MIN_VALUE;
  /** Samples of the last request that could not be stored, and the first one's problem. */
  private int invalid;
  private String firstInvalid;
  private final SeriesResolver resolver;
  private final SeriesKeyCache cache;
  private final StagedSeries staged = new StagedSeries();
  private final long maxFutureMillis;
  private final int maxSeries;
  private final int maxSamples;
  private final ProtoReader request = new ProtoReader();
  private final ProtoReader series = new ProtoReader();
  private final ProtoReader inner = new ProtoReader();
  private byte[] keyBuffer = new byte[1024];

  /**
   * @param maxSeries series one request may carry; a larger request is refused as too big
   * @param maxSamples samples one request may carry, likewise
   */
  public RemoteWriteDecoder(SeriesResolver resolver, long maxFutureMillis, int maxSeries, int maxSamples,
      int cacheEntries) {
    this.resolver = resolver;
    this.cache = new SeriesKeyCache(cacheEntries);
    this.maxFutureMillis = maxFutureMillis;
    this.maxSeries = maxSeries;
    this.maxSamples = maxSamples;
  }

  /** Thrown when a request carries more series or samples than allowed: the sender should send smaller ones. */
  public static final class RequestTooLargeException extends Exception {
    RequestTooLargeException(String message) {
      super(message, null, false, false);
    }
  }

  public void decode(byte[] payload, int length, SampleBatch out) throws PoisonRecordException,
      RequestTooLargeException {
    out.clear();
    staged.clear();
    invalid = 0;
    firstInvalid = null;
    cache.useGeneration(resolver.generation());
    long now = System.currentTimeMillis();
    int seriesCount = 0;
    try {
      request.reset(payload, 0, length);
      while (request.hasMore()) {
        int tag = request.tag();
        if (tag == (1 << 3 | ProtoReader.LENGTH_DELIMITED)) {
          if (++seriesCount > maxSeries) {
            throw new RequestTooLargeException("the request has more than " + maxSeries
                + " series; send smaller batches (Prometheus: queue_config.max_samples_per_send)");
          }
          int end = request.lengthDelimitedEnd();
          timeSeries(payload, request.position(), end, now, out);
          request.skipTo(end);
        } else {
          request.skip(tag);
        }
      }
    } catch (MalformedPayloadException | ArrayIndexOutOfBoundsException e) {
      throw new PoisonRecordException(PoisonKind.UNDECODABLE, "not a remote_write WriteRequest: " + e.getMessage());
    }
    staged.resolve(resolver, cache, out);
  }

  private void timeSeries(byte[] buf, int from, int to, long now, SampleBatch out) throws PoisonRecordException,
      RequestTooLargeException {
    int ref = contiguousLabelsRef(buf, from, to);
    if (ref == NOT_CONTIGUOUS) {
      ref = copiedLabelsRef(buf, from, to);
    }
    // Second pass: the samples.
    series.reset(buf, from, to);
    while (series.hasMore()) {
      int tag = series.tag();
      if (tag == (2 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        int end = series.lengthDelimitedEnd();
        inner.reset(buf, series.position(), end);
        double value = 0;
        long timestamp = Long.MIN_VALUE;
        while (inner.hasMore()) {
          int t = inner.tag();
          if (t == (1 << 3 | ProtoReader.FIXED64)) {
            value = Double.longBitsToDouble(inner.fixed64());
          } else if (t == (2 << 3 | ProtoReader.VARINT)) {
            timestamp = inner.varint();
          } else {
            inner.skip(t);
          }
        }
        if (ref == INVALID) {
          invalid++;
          series.skipTo(end);
          continue;
        }
        if (timestamp == Long.MIN_VALUE || timestamp < 0 || timestamp > now + maxFutureMillis) {
          invalid(timestamp == Long.MIN_VALUE ? "a sample has no timestamp" : "sample timestamp " + timestamp
              + " is negative or more than " + maxFutureMillis / 60_000 + " minutes ahead of the aggregator's clock");
          series.skipTo(end);
          continue;
        }
        if (out.size() == maxSamples) {
          throw new RequestTooLargeException("the request has more than " + maxSamples + " samples; send smaller "
              + "batches (Prometheus: queue_config.max_samples_per_send)");
        }
        out.add(ref, timestamp, value);
        series.skipTo(end);
      } else if (tag == (4 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        out.skip(1);
        series.skip(tag);
      } else {
        series.skip(tag);
      }
    }
  }

  /**
   * The ref of a series whose label fields lie back to back (every sender we know writes them first): the raw bytes
   * of those fields, tags and lengths included, are the cache key, hashed and compared where they lie.
   * {@link #NOT_CONTIGUOUS} when the labels are interleaved with other fields, or absent.
   */
  private int contiguousLabelsRef(byte[] buf, int from, int to) throws PoisonRecordException {
    series.reset(buf, from, to);
    int labelsStart = -1;
    int labelsEnd = -1;
    while (series.hasMore()) {
      int fieldStart = series.position();
      int tag = series.tag();
      if (tag == (1 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        if (labelsStart >= 0 && labelsEnd != fieldStart) {
          return NOT_CONTIGUOUS;
        }
        if (labelsStart < 0) {
          labelsStart = fieldStart;
        }
        labelsEnd = series.lengthDelimitedEnd();
        series.skipTo(labelsEnd);
      } else {
        series.skip(tag);
      }
    }
    if (labelsStart < 0) {
      return NOT_CONTIGUOUS;
    }
    // The key starts with the label field's tag (0x0A), the copied form with 0xFF: the two kinds never collide.
    long hash = SeriesKeyCache.hash(SeriesKeyCache.SEED, buf, labelsStart, labelsEnd);
    return cachedRef(hash, buf, labelsStart, labelsEnd, buf, from, to);
  }

  /** The ref of any series: its label fields' payloads, each after a 0xFF, copied into one key. */
  private int copiedLabelsRef(byte[] buf, int from, int to) throws PoisonRecordException {
    series.reset(buf, from, to);
    int keyLength = 0;
    long hash = SeriesKeyCache.SEED;
    while (series.hasMore()) {
      int tag = series.tag();
      if (tag == (1 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        int end = series.lengthDelimitedEnd();
        int len = end - series.position();
        if (keyBuffer.length < keyLength + len + 1) {
          keyBuffer = Arrays.copyOf(keyBuffer, Math.max(keyBuffer.length * 2, keyLength + len + 1));
        }
        keyBuffer[keyLength++] = (byte) 0xFF;
        System.arraycopy(buf, series.position(), keyBuffer, keyLength, len);
        keyLength += len;
        hash = SeriesKeyCache.hash(hash * 31, buf, series.position(), end);
        series.skipTo(end);
      } else {
        series.skip(tag);
      }
    }
    return cachedRef(hash, keyBuffer, 0, keyLength, buf, from, to);
  }

  /**
   * The ref cached for a key, or, the first time, a placeholder for the series' parsed labels: the series is created
   * (and cached) only once the whole request has decoded.
   */
  private int cachedRef(long hash, byte[] key, int keyFrom, int keyTo, byte[] buf, int seriesFrom, int seriesTo)
      throws PoisonRecordException {
    int ref = cache.get(hash, key, keyFrom, keyTo);
    if (ref < 0) {
      Labels labels = parseLabels(buf, seriesFrom, seriesTo);
      ref = labels == null ? INVALID : staged.stage(labels, hash, key, keyFrom, keyTo);
    }
    return ref;
  }

  /** The labels, or null for a series that cannot be stored (its problem is kept, if the request's first). */
  private Labels parseLabels(byte[] buf, int from, int to) throws PoisonRecordException {
    TreeMap<String, String> labels = new TreeMap<>();
    String seriesProblem = null;
    series.reset(buf, from, to);
    while (series.hasMore()) {
      int tag = series.tag();
      if (tag == (1 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        int end = series.lengthDelimitedEnd();
        inner.reset(buf, series.position(), end);
        String name = "";
        String value = "";
        while (inner.hasMore()) {
          int t = inner.tag();
          if ((t & 7) == ProtoReader.LENGTH_DELIMITED && (t >>> 3 == 1 || t >>> 3 == 2)) {
            int e = inner.lengthDelimitedEnd();
            String s = utf8(buf, inner.position(), e);
            if (t >>> 3 == 1) {
              name = s;
            } else {
              value = s;
            }
            inner.skipTo(e);
          } else {
            inner.skip(t);
          }
        }
        String problem = null;
        if (!Labels.isValidName(name)) {
          problem = "invalid label name '" + Excerpt.of(name) + "'";
        } else if (labels.put(name, value) != null) {
          problem = "duplicate label name '" + Excerpt.of(name) + "'";
        } else {
          problem = LabelLimits.problem(name, value);
          if (problem == null) {
            problem = LabelLimits.countProblem(labels.size());
          }
        }
        if (problem != null && seriesProblem == null) {
          seriesProblem = problem;
        }
        series.skipTo(end);
      } else {
        series.skip(tag);
      }
    }
    String metric = labels.get(Labels.METRIC_NAME);
    if (seriesProblem == null && (metric == null || !Labels.isValidMetricName(metric))) {
      seriesProblem = "a series has no valid metric name (__name__)";
    }
    if (seriesProblem != null) {
      noteProblem(seriesProblem); // its samples are counted as they are met
      return null;
    }
    return Labels.of(labels);
  }

  /** Samples of the last request left out as invalid: of a series that cannot be stored, or untimely. */
  public int invalid() {
    return invalid;
  }

  /** What the first of those broke; null when none. */
  public String firstInvalid() {
    return firstInvalid;
  }

  /** Counts a sample left out for its own sake (its timestamp). */
  private void invalid(String problem) {
    invalid++;
    noteProblem(problem);
  }

  private void noteProblem(String problem) {
    if (firstInvalid == null) {
      firstInvalid = problem;
    }
  }

  private static String utf8(byte[] buf, int from, int to) throws PoisonRecordException {
    return Utf8.decode(buf, from, to, "a label");
  }

}
