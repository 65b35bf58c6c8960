package io.acceltel.aggregator.storage;

import io.acceltel.model.series.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A deterministic stream of samples for a few series of different shapes, in time order across series, as the
 * ingest would deliver it: a stand-in for a Kafka partition, where a record's index is its offset.
 */
final class Feed {
  static final double STALE = Double.longBitsToDouble(Naive.STALE_BITS);

  record Record(int series, long t, double v) {
  }

  final List<Labels> labels = new ArrayList<>();
  final List<Record> records = new ArrayList<>();

  /** {@code seconds} ticks from {@code start}: gauges, decimal power, a counter with resets, NaNs, stale, gaps. */
  static Feed gpuLike(long start, int seconds, long seed) {
    Feed f = new Feed();
    String[] kinds = {"util", "power", "counter", "temp", "jitter"};
    for (String k : kinds) {
      f.labels.add(Labels.of("__name__", "m_" + k, "node", "n1", "gpu", "0", "kind", k));
    }
    Random rnd = new Random(seed);
    double util = 50;
    double counter = 1000;
    double temp = 40;
    for (int s = 0; s < seconds; s++) {
      long t = start + s * 1000L;
      util = Math.max(0, Math.min(100, util + rnd.nextInt(7) - 3));
      f.records.add(new Record(0, t, util));
      double power = s % 997 == 500 ? Double.NaN : (600_000 + rnd.nextInt(9000)) / 1000.0;
      f.records.add(new Record(1, t, power));
      counter = s % 1234 == 1000 ? rnd.nextInt(50) : counter + rnd.nextInt(5000);
      f.records.add(new Record(2, t, counter));
      if (s % 600 < 590) { // a gap of ten seconds every ten minutes, ending with a staleness marker
        f.records.add(new Record(3, t, s % 600 == 589 ? STALE : temp + (s / 120) % 5));
      }
      f.records.add(new Record(4, t + rnd.nextInt(300) - 150 + 150, rnd.nextGaussian()));
    }
    return f;
  }

  long[] timestamps(int series) {
    return records.stream().filter(r -> r.series == series).mapToLong(Record::t).toArray();
  }

  double[] values(int series) {
    return records.stream().filter(r -> r.series == series).mapToDouble(Record::v).toArray();
  }

  /** Appends records [from, to) and returns how many were APPENDED. */
  int append(Appender app, int from, int to) {
    int[] refs = new int[labels.size()];
    for (int i = 0; i < refs.length; i++) {
      refs[i] = app.ref(labels.get(i));
    }
    int appended = 0;
    for (int i = from; i < to; i++) {
      Record r = records.get(i);
      if (app.append(refs[r.series], r.t, r.v) == AppendResult.APPENDED) {
        appended++;
      }
    }
    return appended;
  }
}
