package io.acceltel.exporter.http;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The Prometheus text and OpenMetrics text formats written straight into bytes, with the same output as
 * client_java's writers byte for byte (DirectTextFormatWriterTest compares them).
 *
 * <p>Why: the exporter serializes about 630 device series every tick, and client_java's writers spend most of
 * that time on their {@code Writer} stack (a synchronized write per fragment, then UTF-8 encoding) and on checking
 * every name again on every line. This writer encodes each label set once per write, however many series share
 * it (most series of a device share the device's labels), and checks each name once per family.
 *
 * <p>It writes gauges, counters, info and unknown families in the default escaping scheme. Anything else (histograms,
 * summaries, state sets, timestamps, exemplars, names outside the legacy character set, created timestamps when
 * they are switched on) goes to client_java's writer of the same format, a family at a time, so the output stays
 * exactly what client_java would write.
 */
public final class DirectTextFormatWriter implements ExpositionFormatWriter {
  private static final byte[] OPENMETRICS_EOF = ascii("# EOF\n");
  private static final byte[] TYPE = ascii("# TYPE ");
  private static final byte[] UNIT = ascii("# UNIT ");
  private static final byte[] HELP = ascii("# HELP ");

  private final ExpositionFormatWriter fallback;
  private final boolean openMetrics;
  private final boolean createdTimestamps;
  private final boolean exemplarsOnAllTypes;

  private DirectTextFormatWriter(ExpositionFormatWriter fallback, boolean openMetrics, ExporterProperties properties) {
    this.fallback = fallback;
    this.openMetrics = openMetrics;
    this.createdTimestamps = properties.getIncludeCreatedTimestamps();
    this.exemplarsOnAllTypes = properties.getExemplarsOnAllMetricTypes();
  }

  /**
   * This writer in place of client_java's text or OpenMetrics writer; any other writer (protobuf) as it is.
   *
   * @param properties the exporter properties {@code writer} was built with
   */
  public static ExpositionFormatWriter replacing(ExpositionFormatWriter writer, ExporterProperties properties) {
    if (writer instanceof PrometheusTextFormatWriter) {
      return new DirectTextFormatWriter(writer, false, properties);
    }
    if (writer instanceof OpenMetricsTextFormatWriter) {
      return new DirectTextFormatWriter(writer, true, properties);
    }
    return writer;
  }

  @Override
  public boolean accepts(@Nullable String acceptHeader) {
    return fallback.accepts(acceptHeader);
  }

  @Override
  public String getContentType() {
    return fallback.getContentType();
  }

  @Override
  public void write(OutputStream out, MetricSnapshots metrics, EscapingScheme scheme) throws IOException {
    if (!writesDirectly(scheme)) {
      fallback.write(out, metrics, scheme);
      return;
    }
    Sink sink = families(metrics, scheme);
    if (openMetrics) {
      sink.write(OPENMETRICS_EOF);
    }
    sink.writeTo(out);
  }

  /**
   * The families in {@code writer}'s format, as the first part of an exposition that more families follow: without
   * the "# EOF" line that ends an OpenMetrics exposition. This writer leaves the line out rather than writing it
   * and copying the rest.
   */
  public static byte[] leadingPart(ExpositionFormatWriter writer, MetricSnapshots metrics) throws IOException {
    if (writer instanceof DirectTextFormatWriter direct && direct.writesDirectly(EscapingScheme.DEFAULT)) {
      return direct.families(metrics, EscapingScheme.DEFAULT).toByteArray();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 * 1024);
    writer.write(out, metrics);
    return withoutOpenMetricsEnd(out.toByteArray());
  }

  /** False when client_java writes everything: another scheme, or the text format's trailing created lines. */
  private boolean writesDirectly(EscapingScheme scheme) {
    return scheme == EscapingScheme.UNDERSCORE_ESCAPING && !(createdTimestamps && !openMetrics);
  }

  private Sink families(MetricSnapshots metrics, EscapingScheme scheme) throws IOException {
    Sink sink = new Sink(64 * 1024);
    LabelEncoder labels = new LabelEncoder();
    for (MetricSnapshot family : metrics) {
      if (family.getDataPoints().isEmpty()) {
        continue;
      }
      if (writesItself(family, labels)) {
        writeFamily(sink, family, labels);
      } else {
        writeThroughFallback(sink, family, scheme);
      }
    }
    return sink;
  }

  /** True when this writer writes the family itself, false when client_java's writer must. */
  boolean writesItself(MetricSnapshot family) {
    return writesItself(family, new LabelEncoder());
  }

  private boolean writesItself(MetricSnapshot family, LabelEncoder labels) {
    if (Kind.of(family) == null || !PrometheusNaming.isValidLegacyMetricName(family.getMetadata().getPrometheusName())) {
      return false;
    }
    for (DataPointSnapshot point : family.getDataPoints()) {
      if (writesMoreThanItsValue(point) || labels.encoded(point.getLabels()) == null) {
        return false;
      }
    }
    return true;
  }

  private void writeFamily(Sink sink, MetricSnapshot family, LabelEncoder labels) {
    Kind kind = Kind.of(family);
    writeMetadata(sink, family.getMetadata(), kind);
    byte[] sampleName = ascii(family.getMetadata().getPrometheusName() + kind.sampleSuffix);
    for (DataPointSnapshot point : family.getDataPoints()) {
      sink.write(sampleName);
      sink.write(labels.encoded(point.getLabels()));
      sink.write((byte) ' ');
      if (kind == Kind.INFO) {
        sink.write((byte) '1');
      } else {
        sink.writeDouble(valueOf(point));
      }
      sink.write((byte) '\n');
    }
  }

  /** A timestamp, an exemplar or a created line that client_java's writer of this format would add. */
  private boolean writesMoreThanItsValue(DataPointSnapshot point) {
    if (point.hasScrapeTimestamp()) {
      return true;
    }
    if (!openMetrics) {
      return false;
    }
    if (point instanceof CounterDataPointSnapshot counter) {
      return counter.getExemplar() != null || (createdTimestamps && counter.hasCreatedTimestamp());
    }
    if (point instanceof GaugeDataPointSnapshot gauge) {
      return exemplarsOnAllTypes && gauge.getExemplar() != null;
    }
    if (point instanceof UnknownDataPointSnapshot unknown) {
      return exemplarsOnAllTypes && unknown.getExemplar() != null;
    }
    return false;
  }

  private static double valueOf(DataPointSnapshot point) {
    if (point instanceof GaugeDataPointSnapshot gauge) {
      return gauge.getValue();
    }
    if (point instanceof CounterDataPointSnapshot counter) {
      return counter.getValue();
    }
    return ((UnknownDataPointSnapshot) point).getValue();
  }

  private void writeMetadata(Sink sink, MetricMetadata metadata, Kind kind) {
    String help = metadata.getHelp();
    boolean hasHelp = help != null && !help.isEmpty();
    if (openMetrics) {
      byte[] name = ascii(metadata.getPrometheusName());
      sink.write(TYPE).write(name).write(kind.openMetricsType);
      if (metadata.getUnit() != null) {
        sink.write(UNIT).write(name).write((byte) ' ');
        sink.write(utf8(escapeLabelValue(metadata.getUnit().toString()))).write((byte) '\n');
      }
      if (hasHelp) {
        sink.write(HELP).write(name).write((byte) ' ');
        sink.write(utf8(escapeLabelValue(help))).write((byte) '\n');
      }
    } else {
      byte[] name = ascii(metadata.getPrometheusName() + kind.textMetadataSuffix);
      if (hasHelp) {
        sink.write(HELP).write(name).write((byte) ' ');
        sink.write(utf8(escapeHelp(help))).write((byte) '\n');
      }
      sink.write(TYPE).write(name).write(kind.textType);
    }
  }

  private void writeThroughFallback(Sink sink, MetricSnapshot family, EscapingScheme scheme) throws IOException {
    ByteArrayOutputStream one = new ByteArrayOutputStream(1024);
    fallback.write(one, new MetricSnapshots(family), scheme);
    sink.write(withoutOpenMetricsEnd(one.toByteArray()));
  }

  /** The bytes without the "# EOF" line that ends an OpenMetrics exposition. */
  private static byte[] withoutOpenMetricsEnd(byte[] bytes) {
    if (bytes.length >= OPENMETRICS_EOF.length && Arrays.equals(bytes, bytes.length - OPENMETRICS_EOF.length,
        bytes.length, OPENMETRICS_EOF, 0, OPENMETRICS_EOF.length)) {
      return Arrays.copyOf(bytes, bytes.length - OPENMETRICS_EOF.length);
    }
    return bytes;
  }

  /**
   * Label sets encoded as written after the metric name, once per label set and write. Series of one device
   * mostly share one label set; the rest (per link, per reason) differ in one label, so names and values are
   * encoded once per write too.
   */
  private static final class LabelEncoder {
    private static final byte[] NOT_LEGACY = new byte[0];
    private final Map<Labels, byte[]> bySet = new IdentityHashMap<>();
    private final Map<String, byte[]> nameAndOpenQuote = new HashMap<>();
    private final Map<String, byte[]> escapedValue = new HashMap<>();
    private final Sink scratch = new Sink(512);

    /** The encoded label set, empty for no labels; null when a name is outside the legacy character set. */
    @Nullable
    byte[] encoded(Labels labels) {
      byte[] known = bySet.get(labels);
      if (known == null) {
        known = encode(labels);
        bySet.put(labels, known);
      }
      return known == NOT_LEGACY ? null : known;
    }

    private byte[] encode(Labels labels) {
      if (labels.isEmpty()) {
        return new byte[0];
      }
      scratch.clear();
      scratch.write((byte) '{');
      for (int i = 0; i < labels.size(); i++) {
        byte[] name = nameAndOpenQuote.computeIfAbsent(labels.getPrometheusName(i),
            n -> PrometheusNaming.isValidLegacyLabelName(n) ? utf8(n + "=\"") : NOT_LEGACY);
        if (name == NOT_LEGACY) {
          return NOT_LEGACY;
        }
        if (i > 0) {
          scratch.write((byte) ',');
        }
        scratch.write(name);
        scratch.write(escapedValue.computeIfAbsent(labels.getValue(i), v -> utf8(escapeLabelValue(v))));
        scratch.write((byte) '"');
      }
      scratch.write((byte) '}');
      return scratch.toByteArray();
    }
  }

  /** Backslash, double quote and newline, as both formats escape label values (and OpenMetrics its help). */
  static String escapeLabelValue(String s) {
    if (s.indexOf('\\') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** The text format escapes backslash and newline in help, not the double quote. */
  static String escapeHelp(String s) {
    return s.indexOf('\\') < 0 && s.indexOf('\n') < 0 ? s : s.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The family types written directly, with the names and suffixes each format gives them. */
  private enum Kind {
    GAUGE("gauge", "", "gauge", ""),
    COUNTER("counter", "_total", "counter", "_total"),
    INFO("gauge", "_info", "info", "_info"),
    UNKNOWN("untyped", "", "unknown", "");

    /** The rest of each format's TYPE line after the name: the type and the newline. */
    final byte[] textType;
    final String textMetadataSuffix;
    final byte[] openMetricsType;
    final String sampleSuffix;

    Kind(String textType, String textMetadataSuffix, String openMetricsType, String sampleSuffix) {
      this.textType = ascii(" " + textType + "\n");
      this.textMetadataSuffix = textMetadataSuffix;
      this.openMetricsType = ascii(" " + openMetricsType + "\n");
      this.sampleSuffix = sampleSuffix;
    }

    @Nullable
    static Kind of(MetricSnapshot family) {
      if (family instanceof GaugeSnapshot) {
        return GAUGE;
      }
      if (family instanceof CounterSnapshot) {
        return COUNTER;
      }
      if (family instanceof InfoSnapshot) {
        return INFO;
      }
      if (family instanceof UnknownSnapshot) {
        return UNKNOWN;
      }
      return null;
    }
  }

  /** A growable byte buffer: the formats are written here first, then handed over in one write. */
  private static final class Sink {
    private byte[] bytes;
    private int size;

    Sink(int capacity) {
      bytes = new byte[capacity];
    }

    Sink write(byte b) {
      ensure(1);
      bytes[size++] = b;
      return this;
    }

    Sink write(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, bytes, size, b.length);
      size += b.length;
      return this;
    }

    /** As client_java writes a double: Java's shortest repr, and +Inf / -Inf. */
    void writeDouble(double d) {
      String s = d == Double.POSITIVE_INFINITY ? "+Inf" : d == Double.NEGATIVE_INFINITY ? "-Inf" : Double.toString(d);
      ensure(s.length());
      for (int i = 0; i < s.length(); i++) {
        bytes[size++] = (byte) s.charAt(i);
      }
    }

    void clear() {
      size = 0;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }

    void writeTo(OutputStream out) throws IOException {
      out.write(bytes, 0, size);
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }
  }
}
