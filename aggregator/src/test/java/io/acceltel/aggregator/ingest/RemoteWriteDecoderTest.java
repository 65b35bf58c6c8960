package io.acceltel.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acceltel.model.series.Labels;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The remote_write decoder's series lookup: labels written back to back are keyed by their raw bytes, labels
 * interleaved with samples (legal protobuf, written by no sender we know) through a copied key; both must find the
 * same series and never mix two series up.
 */
class RemoteWriteDecoderTest {
  private static final long T = 1_795_349_049_000L;
  private final List<Labels> resolved = new ArrayList<>();
  private final RemoteWriteDecoder decoder = new RemoteWriteDecoder(labels -> {
    resolved.add(labels);
    int i = resolved.indexOf(labels);
    return i;
  }, 600_000, 1000, 5, 1 << 20);
  private final SampleBatch batch = new SampleBatch();

  @Test
  void aSeriesSentTwiceIsResolvedOnceAndKeepsItsRef() throws Exception {
    int ref = refOfOnlySeries(request(series(false, T, 1.5, "__name__", "gpu_power", "node", "n1")));
    assertThat(refOfOnlySeries(request(series(false, T + 1000, 2.5, "__name__", "gpu_power", "node", "n1"))))
        .isEqualTo(ref);
    assertThat(batch.value(0)).isEqualTo(2.5);
    assertThat(resolved).as("labels parsed only the first time").hasSize(1);
  }

  @Test
  void labelsInterleavedWithSamplesDecodeToTheSameSeries() throws Exception {
    int ref = refOfOnlySeries(request(series(false, T, 1.5, "__name__", "gpu_power", "node", "n1")));
    byte[] interleaved = request(series(true, T + 1000, 2.5, "__name__", "gpu_power", "node", "n1"));
    assertThat(refOfOnlySeries(interleaved)).isEqualTo(ref);
    assertThat(batch.timestamp(0)).isEqualTo(T + 1000);
    assertThat(batch.value(0)).isEqualTo(2.5);
    assertThat(refOfOnlySeries(interleaved)).as("the copied key is cached too").isEqualTo(ref);
  }

  @Test
  void seriesThatDifferInOneLabelValueGetTheirOwnRefs() throws Exception {
    byte[] body = request(series(false, T, 1, "__name__", "gpu_power", "node", "n1"),
        series(false, T, 2, "__name__", "gpu_power", "node", "n2"),
        series(true, T, 3, "__name__", "gpu_power", "node", "n3"),
        series(true, T, 4, "__name__", "gpu_power", "node", "n4"));
    decode(body);
    decode(body);
    assertThat(batch.size()).isEqualTo(4);
    for (int i = 0; i < 4; i++) {
      assertThat(resolved.get(batch.ref(i)).get("node")).isEqualTo("n" + (i + 1));
      assertThat(batch.value(i)).isEqualTo(i + 1);
    }
  }

  /**
   * An invalid series (a dotted label name from a Prometheus that allows UTF-8 names) is left out alone: the
   * request's other series are stored, as Mimir does, rather than lost with it every time.
   */
  @Test
  void anInvalidSeriesIsLeftOutAloneAndTheOthersStored() throws Exception {
    byte[] body = request(series(false, T, 1, "__name__", "gpu_power", "node", "n1"),
        series(false, T, 2, "__name__", "gpu_power", "http.route", "v"),
        series(false, T, 3, "__name__", "gpu_power", "node", "n2", "node", "n3"),
        series(false, T, 4, "job", "no metric name"),
        series(false, System.currentTimeMillis() + 3_600_000, 5, "__name__", "gpu_power", "node", "n4"));
    decode(body);
    assertThat(batch.size()).isEqualTo(1);
    assertThat(batch.value(0)).isEqualTo(1);
    assertThat(decoder.invalid()).isEqualTo(4);
    assertThat(decoder.firstInvalid()).isEqualTo("invalid label name 'http.route'");
    assertThat(resolved).as("n1 only: a series whose every sample was left out (n4's) is not created").hasSize(1);
  }

  @Test
  void aSeriesTwiceInOneRequestIsStagedOnce() throws Exception {
    byte[] twice = request(series(false, T, 1, "__name__", "gpu_power", "node", "n1"),
        series(true, T + 1000, 2, "__name__", "gpu_power", "node", "n1"));
    decode(twice);
    assertThat(resolved).as("one series, staged once within the request").hasSize(1);
    assertThat(batch.size()).isEqualTo(2);
    assertThat(batch.ref(0)).isEqualTo(batch.ref(1)).isEqualTo(0);
  }

  /** The answer names the bad label, but a megabyte of it must not go back to the sender and into the log. */
  @Test
  void aHugeInvalidLabelNameIsQuotedOnlyInPart() throws Exception {
    String huge = "bad-" + "x".repeat(1_000_000);
    decode(request(series(false, T, 1, "__name__", "gpu_power", huge, "v")));
    assertThat(decoder.firstInvalid()).startsWith("invalid label name 'bad-xxx").contains("(1000004 characters)")
        .hasSizeLessThan(400);
  }

  /**
   * One series cannot carry megabytes of labels into the head, the index and every answer that lists it: such a
   * series is left out alone, its samples counted, and the request's other series are stored.
   */
  @Test
  void aSeriesBeyondTheLabelBoundsIsLeftOutAloneNamingTheBound() throws Exception {
    byte[] good = series(false, T, 1, "__name__", "gpu_power", "pod", "p1");
    decode(request(good, series(false, T, 1, "__name__", "gpu_power", "pod", "p".repeat(20_000))));
    assertThat(batch.size()).as("the other series' sample").isEqualTo(1);
    assertThat(decoder.invalid()).isEqualTo(1);
    assertThat(decoder.firstInvalid()).isEqualTo("the value of label 'pod' is 20000 characters, more than 16384");

    decode(request(good, series(false, T + 1, 1, "__name__", "gpu_power", "n".repeat(2000), "v")));
    assertThat(decoder.firstInvalid()).contains("is longer than 1024 characters");
    String[] many = new String[2 * 130];
    many[0] = "__name__";
    many[1] = "gpu_power";
    for (int i = 1; i < 130; i++) {
      many[2 * i] = "label_" + i;
      many[2 * i + 1] = "v";
    }
    decode(request(series(false, T + 2, 1, many)));
    assertThat(batch.size()).isZero();
    assertThat(decoder.firstInvalid()).isEqualTo("a series has more than 128 labels");
    assertThat(resolved).as("only the good series was created").hasSize(1);

    decode(request(good));
    assertThat(decoder.invalid()).as("counted per request").isZero();
    assertThat(decoder.firstInvalid()).isNull();
  }

  @Test
  void aRequestWithMoreSamplesThanAllowedIsTooLarge() {
    byte[][] six = new byte[6][];
    for (int i = 0; i < 6; i++) {
      six[i] = series(false, T + i, i, "__name__", "gpu_power", "node", "n" + i);
    }
    assertThatThrownBy(() -> decode(request(six))).isInstanceOf(RemoteWriteDecoder.RequestTooLargeException.class)
        .hasMessageContaining("more than 5 samples");
  }

  private void decode(byte[] body) throws Exception {
    decoder.decode(body, body.length, batch);
  }

  /** Decodes a request of one sample and returns its series' ref. */
  private int refOfOnlySeries(byte[] body) throws Exception {
    decode(body);
    assertThat(batch.size()).isEqualTo(1);
    return batch.ref(0);
  }

  /** A TimeSeries with one sample; {@code interleaved} puts the sample between the first and the other labels. */
  private static byte[] series(boolean interleaved, long t, double v, String... nameValues) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream sample = new ByteArrayOutputStream();
    tag(sample, 1, 1);
    long bits = Double.doubleToRawLongBits(v);
    for (int i = 0; i < 8; i++) {
      sample.write((int) (bits >>> (8 * i)));
    }
    tag(sample, 2, 0);
    varint(sample, t);
    for (int i = 0; i < nameValues.length; i += 2) {
      ByteArrayOutputStream label = new ByteArrayOutputStream();
      bytesField(label, 1, nameValues[i].getBytes());
      bytesField(label, 2, nameValues[i + 1].getBytes());
      bytesField(out, 1, label.toByteArray());
      if (interleaved && i == 0) {
        bytesField(out, 2, sample.toByteArray());
      }
    }
    if (!interleaved) {
      bytesField(out, 2, sample.toByteArray());
    }
    return out.toByteArray();
  }

  private static byte[] request(byte[]... series) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] s : series) {
      bytesField(out, 1, s);
    }
    return out.toByteArray();
  }

  private static void bytesField(ByteArrayOutputStream out, int field, byte[] bytes) {
    tag(out, field, 2);
    varint(out, bytes.length);
    out.writeBytes(bytes);
  }

  private static void tag(ByteArrayOutputStream out, int field, int wireType) {
    varint(out, (long) field << 3 | wireType);
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
