package io.acceltel.aggregator.ingest;

import io.acceltel.model.series.Labels;
import io.acceltel.model.text.Excerpt;
import java.util.TreeMap;

/**
 * Decodes an OTLP {@code ExportMetricsServiceRequest} straight from its bytes into a {@link SampleBatch}: gauges and
 * cumulative sums become samples; a series is identified by the raw bytes of its metric name and attributes, looked
 * up in a {@link SeriesKeyCache}, so a known series costs a hash and a compare, not a label parse.
 *
 * <p>Naming follows Prometheus's OTLP translation: the metric name and attribute keys are sanitized to
 * [a-zA-Z0-9_:], monotonic cumulative sums get {@code _total}, non-monotonic sums are gauges. Histograms, summaries
 * and delta sums are skipped and counted. A point flagged "no recorded value" becomes a staleness marker. Resource
 * attributes are not labels: acceltel's exporter puts every label on the data point.
 *
 * <p>Not thread-safe: one decoder per ingest thread.
 */
public final class OtlpMetricsDecoder {
  private static final int MAX_METRIC_RANGES = 64;
  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final SeriesResolver resolver;
  private final SeriesKeyCache cache;
  private final StagedSeries staged = new StagedSeries();
  private final long maxFutureMillis;
  private final ProtoReader request = new ProtoReader();
  private final ProtoReader resource = new ProtoReader();
  private final ProtoReader scope = new ProtoReader();
  private final ProtoReader metric = new ProtoReader();
  private final ProtoReader data = new ProtoReader();
  private final ProtoReader point = new ProtoReader();
  private final ProtoReader kv = new ProtoReader();
  private final int[] attributeStarts = new int[MAX_METRIC_RANGES];
  private final int[] attributeEnds = new int[MAX_METRIC_RANGES];
  private long nowMillis;

  /**
   * @param maxFutureMillis samples further than this ahead of the wall clock are refused as bad timestamps
   * @param cacheEntries series keys kept in the reference cache
   */
  public OtlpMetricsDecoder(SeriesResolver resolver, long maxFutureMillis, int cacheEntries) {
    this.resolver = resolver;
    this.cache = new SeriesKeyCache(cacheEntries);
    this.maxFutureMillis = maxFutureMillis;
  }

  /** Decodes a whole record into {@code out} (cleared first); on poison, {@code out} must be discarded. */
  public void decode(byte[] payload, SampleBatch out) throws PoisonRecordException {
    out.clear();
    staged.clear();
    cache.useGeneration(resolver.generation());
    nowMillis = System.currentTimeMillis();
    try {
      request.reset(payload, 0, payload.length);
      while (request.hasMore()) {
        int tag = request.tag();
        if (tag == (1 << 3 | ProtoReader.LENGTH_DELIMITED)) {
          int end = request.lengthDelimitedEnd();
          resourceMetrics(payload, request.position(), end, out);
          request.skipTo(end);
        } else {
          request.skip(tag);
        }
      }
    } catch (MalformedPayloadException | ArrayIndexOutOfBoundsException e) {
      throw new PoisonRecordException(PoisonKind.UNDECODABLE, e.getMessage());
    }
    staged.resolve(resolver, cache, out);
  }

  private void resourceMetrics(byte[] buf, int from, int to, SampleBatch out) throws PoisonRecordException {
    resource.reset(buf, from, to);
    while (resource.hasMore()) {
      int tag = resource.tag();
      if (tag == (2 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        int end = resource.lengthDelimitedEnd();
        scopeMetrics(buf, resource.position(), end, out);
        resource.skipTo(end);
      } else {
        resource.skip(tag);
      }
    }
  }

  private void scopeMetrics(byte[] buf, int from, int to, SampleBatch out) throws PoisonRecordException {
    scope.reset(buf, from, to);
    while (scope.hasMore()) {
      int tag = scope.tag();
      if (tag == (2 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        int end = scope.lengthDelimitedEnd();
        metric(buf, scope.position(), end, out);
        scope.skipTo(end);
      } else {
        scope.skip(tag);
      }
    }
  }

  /** Fields may come in any order, so the name and the sum's flags are found before the points are read. */
  private void metric(byte[] buf, int from, int to, SampleBatch out) throws PoisonRecordException {
    metric.reset(buf, from, to);
    int nameStart = -1;
    int nameEnd = -1;
    int dataStart = -1;
    int dataEnd = -1;
    int dataField = 0;
    while (metric.hasMore()) {
      int tag = metric.tag();
      int field = tag >>> 3;
      if ((tag & 7) == ProtoReader.LENGTH_DELIMITED && (field == 1 || field == 5 || field == 7 || field == 9
          || field == 10 || field == 11)) {
        int end = metric.lengthDelimitedEnd();
        if (field == 1) {
          nameStart = metric.position();
          nameEnd = end;
        } else {
          dataField = field;
          dataStart = metric.position();
          dataEnd = end;
        }
        metric.skipTo(end);
      } else {
        metric.skip(tag);
      }
    }
    if (dataField == 0) {
      return;
    }
    if (nameStart < 0 || nameEnd == nameStart) {
      throw new PoisonRecordException(PoisonKind.BAD_LABELS, "a metric has no name");
    }
    boolean monotonic = false;
    if (dataField == 7) {
      int temporality = 0;
      data.reset(buf, dataStart, dataEnd);
      while (data.hasMore()) {
        int tag = data.tag();
        if (tag == (2 << 3 | ProtoReader.VARINT)) {
          temporality = (int) data.varint();
        } else if (tag == (3 << 3 | ProtoReader.VARINT)) {
          monotonic = data.varint() != 0;
        } else {
          data.skip(tag);
        }
      }
      if (temporality != 2) {
        out.skip(countPoints(buf, dataStart, dataEnd));
        return;
      }
    } else if (dataField != 5) {
      out.skip(countPoints(buf, dataStart, dataEnd));
      return;
    }
    long nameHash = SeriesKeyCache.hash(SeriesKeyCache.SEED, buf, nameStart, nameEnd) * 31 + (monotonic ? 1 : 0);
    data.reset(buf, dataStart, dataEnd);
    while (data.hasMore()) {
      int tag = data.tag();
      if (tag == (1 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        int end = data.lengthDelimitedEnd();
        dataPoint(buf, data.position(), end, nameStart, nameEnd, nameHash, monotonic, out);
        data.skipTo(end);
      } else {
        data.skip(tag);
      }
    }
  }

  private int countPoints(byte[] buf, int from, int to) {
    data.reset(buf, from, to);
    int n = 0;
    while (data.hasMore()) {
      int tag = data.tag();
      if (tag == (1 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        n++;
      }
      data.skip(tag);
    }
    return n;
  }

  private void dataPoint(byte[] buf, int from, int to, int nameStart, int nameEnd, long nameHash,
      boolean monotonic, SampleBatch out) throws PoisonRecordException {
    point.reset(buf, from, to);
    long timeNanos = 0;
    double value = 0;
    long flags = 0;
    int attributes = 0;
    long hash = nameHash;
    while (point.hasMore()) {
      int tag = point.tag();
      switch (tag) {
        case 7 << 3 | ProtoReader.LENGTH_DELIMITED -> {
          int end = point.lengthDelimitedEnd();
          if (attributes == MAX_METRIC_RANGES) {
            throw new PoisonRecordException(PoisonKind.BAD_LABELS, "more than " + MAX_METRIC_RANGES
                + " attributes on one point");
          }
          attributeStarts[attributes] = point.position();
          attributeEnds[attributes++] = end;
          hash = SeriesKeyCache.hash(hash * 31 + 7, buf, point.position(), end);
          point.skipTo(end);
        }
        case 3 << 3 | ProtoReader.FIXED64 -> timeNanos = point.fixed64();
        case 4 << 3 | ProtoReader.FIXED64 -> value = Double.longBitsToDouble(point.fixed64());
        case 6 << 3 | ProtoReader.FIXED64 -> value = point.fixed64();
        case 8 << 3 | ProtoReader.VARINT -> flags = point.varint();
        default -> point.skip(tag);
      }
    }
    long timestampMillis = Math.floorDiv(timeNanos, NANOS_PER_MILLI);
    if (timeNanos <= 0 || timestampMillis > nowMillis + maxFutureMillis) {
      throw new PoisonRecordException(PoisonKind.BAD_TIMESTAMP, "time_unix_nano " + Long.toUnsignedString(timeNanos)
          + " is not a plausible sample time");
    }
    if ((flags & 1) != 0) {
      value = StaleMarker.VALUE;
    }
    int ref = cachedRef(hash, buf, nameStart, nameEnd, attributes);
    if (ref < 0) {
      ref = stage(hash, buf, nameStart, nameEnd, monotonic, attributes);
    }
    out.add(ref, timestampMillis, value);
  }

  /** The cache key: the name bytes, then each attribute's encoded bytes behind a 0xFF separator. */
  private int cachedRef(long hash, byte[] buf, int nameStart, int nameEnd, int attributes) {
    byte[] key = keyBytes(buf, nameStart, nameEnd, attributes);
    return cache.get(hash, key, 0, keyLength);
  }

  private byte[] keyBuffer = new byte[4096];
  private int keyLength;

  private byte[] keyBytes(byte[] buf, int nameStart, int nameEnd, int attributes) {
    int n = nameEnd - nameStart + attributes;
    for (int i = 0; i < attributes; i++) {
      n += attributeEnds[i] - attributeStarts[i];
    }
    if (keyBuffer.length < n) {
      keyBuffer = new byte[Math.max(n, keyBuffer.length * 2)];
    }
    int p = 0;
    System.arraycopy(buf, nameStart, keyBuffer, p, nameEnd - nameStart);
    p += nameEnd - nameStart;
    for (int i = 0; i < attributes; i++) {
      keyBuffer[p++] = (byte) 0xFF;
      int len = attributeEnds[i] - attributeStarts[i];
      System.arraycopy(buf, attributeStarts[i], keyBuffer, p, len);
      p += len;
    }
    keyLength = p;
    return keyBuffer;
  }

  private int stage(long hash, byte[] buf, int nameStart, int nameEnd, boolean monotonic, int attributes)
      throws PoisonRecordException {
    String name = LabelNames.sanitizeMetric(utf8(buf, nameStart, nameEnd));
    if (monotonic && !name.endsWith("_total")) {
      name = name + "_total";
    }
    LabelLimits.checkLabel(Labels.METRIC_NAME, name);
    TreeMap<String, String> labels = new TreeMap<>();
    labels.put(Labels.METRIC_NAME, name);
    for (int i = 0; i < attributes; i++) {
      attribute(buf, attributeStarts[i], attributeEnds[i], labels);
    }
    // Created (and cached) once the whole record has decoded: a later bad point must leave no series behind.
    return staged.stage(Labels.of(labels), hash, keyBuffer, 0, keyLength);
  }

  private void attribute(byte[] buf, int from, int to, TreeMap<String, String> labels) throws PoisonRecordException {
    kv.reset(buf, from, to);
    String key = null;
    String value = "";
    while (kv.hasMore()) {
      int tag = kv.tag();
      if (tag == (1 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        int end = kv.lengthDelimitedEnd();
        key = utf8(buf, kv.position(), end);
        kv.skipTo(end);
      } else if (tag == (2 << 3 | ProtoReader.LENGTH_DELIMITED)) {
        int end = kv.lengthDelimitedEnd();
        value = anyValue(buf, kv.position(), end);
        kv.skipTo(end);
      } else {
        kv.skip(tag);
      }
    }
    if (key == null || key.isEmpty()) {
      throw new PoisonRecordException(PoisonKind.BAD_LABELS, "an attribute has an empty key");
    }
    String name = LabelNames.sanitize(key);
    if (name.startsWith("__")) {
      throw new PoisonRecordException(PoisonKind.BAD_LABELS, "attribute '" + Excerpt.of(key)
          + "' uses the reserved __ prefix");
    }
    if (labels.containsKey(name)) {
      throw new PoisonRecordException(PoisonKind.BAD_LABELS, "attribute '" + Excerpt.of(key) + "' appears twice");
    }
    LabelLimits.checkLabel(name, value);
    if (!value.isEmpty()) {
      labels.put(name, value);
    }
  }

  private String anyValue(byte[] buf, int from, int to) throws PoisonRecordException {
    ProtoReader any = new ProtoReader().reset(buf, from, to);
    String value = "";
    while (any.hasMore()) {
      int tag = any.tag();
      switch (tag) {
        case 1 << 3 | ProtoReader.LENGTH_DELIMITED -> {
          int end = any.lengthDelimitedEnd();
          value = utf8(buf, any.position(), end);
          any.skipTo(end);
        }
        case 2 << 3 | ProtoReader.VARINT -> value = any.varint() != 0 ? "true" : "false";
        case 3 << 3 | ProtoReader.VARINT -> value = Long.toString(any.varint());
        case 4 << 3 | ProtoReader.FIXED64 -> value = Double.toString(Double.longBitsToDouble(any.fixed64()));
        default -> throw new PoisonRecordException(PoisonKind.BAD_LABELS,
            "attribute values must be strings, numbers or booleans, not arrays, maps or bytes");
      }
    }
    return value;
  }

  private static String utf8(byte[] buf, int from, int to) throws PoisonRecordException {
    return Utf8.decode(buf, from, to, "a name or label value");
  }


  /** Series keys currently cached; for the memory-per-series figure. */
  public int cachedSeries() {
    return cache.size();
  }
}
