package io.acceltel.model.remotewrite;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds Prometheus remote_write 1.0 {@code WriteRequest} bytes with protobuf's own encoder, field numbers from
 * prometheus/prompb/remote.proto and types.proto (TimeSeries = 1; Label name = 1, value = 2; Sample value = 1
 * (double), timestamp = 2 (int64)).
 */
public final class WriteRequestEncoder {
  private final List<byte[]> series = new ArrayList<>();

  public WriteRequestEncoder series(Map<String, String> labels, long[] timestamps, double[] values) {
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(buf);
      for (Map.Entry<String, String> l : new TreeMap<>(labels).entrySet()) {
        ByteArrayOutputStream label = new ByteArrayOutputStream();
        CodedOutputStream lo = CodedOutputStream.newInstance(label);
        lo.writeString(1, l.getKey());
        lo.writeString(2, l.getValue());
        lo.flush();
        out.writeByteArray(1, label.toByteArray());
      }
      for (int i = 0; i < timestamps.length; i++) {
        ByteArrayOutputStream sample = new ByteArrayOutputStream();
        CodedOutputStream so = CodedOutputStream.newInstance(sample);
        so.writeDouble(1, values[i]);
        so.writeInt64(2, timestamps[i]);
        so.flush();
        out.writeByteArray(2, sample.toByteArray());
      }
      out.flush();
      series.add(buf.toByteArray());
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] encode() {
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(buf);
      for (byte[] s : series) {
        out.writeByteArray(1, s);
      }
      out.flush();
      return buf.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
