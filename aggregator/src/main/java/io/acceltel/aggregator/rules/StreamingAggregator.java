package io.acceltel.aggregator.rules;

import io.acceltel.aggregator.storage.head.Head;
import io.acceltel.model.series.Labels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Evaluates {@link AggregationRule}s on the ingest path. Which rules a series feeds, and into which group, is decided
 * once when the series is first resolved ({@link #bind}); per sample it is an array lookup and a few additions.
 * A window is emitted once samples a full interval past its end have arrived (the watermark, never past the wall
 * clock), so samples of one tick from all nodes land before the window closes. Each input stream (a Kafka
 * partition, remote_write) has its own watermark and a window waits for the slowest stream still feeding the rule:
 * after a restart the partitions replay at different speeds, and a job's nodes hash to several of them, so one
 * watermark for all would write a job's windows from the partitions that happened to run ahead. A stream that has
 * fed the rule nothing for {@link #idleMillis} of the rule's feed time, or runs more than {@link #maxLagMillis}
 * behind the fastest, no longer holds windows back. Feed time is wall-clock time while the rule's samples arrive,
 * a gap counting for at most one interval: when the whole ingest pauses (Kafka unreachable for minutes), every
 * stream went quiet together and none is idle for it, so the first partition back does not close windows alone.
 *
 * <p>Only freshly appended samples are fed (duplicates from a Kafka replay are not), so nothing is counted twice; a
 * window that was open when the aggregator crashed is emitted from the samples replayed after the checkpoint only.
 * Not thread-safe: SampleWriter calls it under its aggregation lock.
 */
public final class StreamingAggregator {
  /** Receives an output sample; the caller appends it to storage like any other sample. */
  @FunctionalInterface
  public interface Output {
    void emit(Labels labels, long timestampMillis, double value);
  }

  /** The stream of samples given without one: remote_write, and callers with a single input. */
  public static final int DEFAULT_STREAM = -1;
  /** The shortest that {@link #maxLagMillis} is, whatever the rule's interval. */
  public static final Duration LEAST_MAX_LAG = Duration.ofMinutes(10);
  private static final long UNSEEN = Long.MIN_VALUE;

  private final List<AggregationRule> rules;
  private final LongSupplier wallClock;
  private final List<Map<Labels, Group>> groupsByRule = new ArrayList<>();
  private final long[] watermark;
  private final Map<Integer, Integer> streamIndex = new HashMap<>();
  /** Per rule and stream: the newest sample time seen (capped at the wall clock), and the feed time then. */
  private long[][] streamWatermark;
  private long[][] streamLastFeed;
  /** Per rule: its feed time (see the class comment), and the wall time of its last sample. */
  private final long[] feedClock;
  private final long[] lastFeedWall;
  private Binding[][] bindings = new Binding[1024][];
  /** Keys for the accumulators of removed series still in an open window; below every ref. */
  private int nextDetachedKey = -1;

  /** One series feeding one rule's group; moves with the series when refs are renumbered. */
  private static final class Binding {
    private final int rule;
    private final Group group;
    /** Whether the series has fed the group since it was bound or since its last staleness marker. */
    private boolean live;

    Binding(int rule, Group group) {
      this.rule = rule;
      this.group = group;
    }

    int rule() {
      return rule;
    }

    Group group() {
      return group;
    }

    void fed() {
      if (!live) {
        live = true;
        group.liveInputs++;
      }
    }

    /** The series ended: a staleness marker came, or the storage removed it. */
    void ended() {
      if (live) {
        live = false;
        group.liveInputs--;
      }
    }
  }

  /** One group's windows: window start -> per-series accumulators. */
  private static final class Group {
    final Labels outputLabels;
    final TreeMap<Long, Map<Integer, double[]>> windows = new TreeMap<>();
    /** The end of the last window written: a sample of a window up to it comes too late. */
    long emittedThrough = Long.MIN_VALUE;
    /** Whether the output series was ended with a staleness marker and no window was written since. */
    boolean ended;
    /** Bound series that fed the group and have not ended since (see {@link Binding#fed}). */
    int liveInputs;

    Group(Labels outputLabels) {
      this.outputLabels = outputLabels;
    }
  }

  public StreamingAggregator(List<AggregationRule> rules) {
    this(rules, System::currentTimeMillis);
  }

  /** @param wallClock caps the watermark: a node whose clock runs ahead must not close the others' windows early */
  StreamingAggregator(List<AggregationRule> rules, LongSupplier wallClock) {
    this.wallClock = wallClock;
    this.rules = List.copyOf(rules);
    this.watermark = new long[rules.size()];
    this.streamWatermark = new long[rules.size()][0];
    this.streamLastFeed = new long[rules.size()][0];
    this.feedClock = new long[rules.size()];
    this.lastFeedWall = new long[rules.size()];
    java.util.Arrays.fill(lastFeedWall, UNSEEN);
    for (int i = 0; i < rules.size(); i++) {
      groupsByRule.add(new HashMap<>());
    }
  }

  /**
   * The index of an input stream (a Kafka partition number, or {@link #DEFAULT_STREAM}) for {@link #add}; look it
   * up once per batch, not per sample.
   */
  public int stream(int id) {
    Integer known = streamIndex.get(id);
    if (known != null) {
      return known;
    }
    int index = streamIndex.size();
    streamIndex.put(id, index);
    for (int r = 0; r < rules.size(); r++) {
      streamWatermark[r] = java.util.Arrays.copyOf(streamWatermark[r], index + 1);
      streamLastFeed[r] = java.util.Arrays.copyOf(streamLastFeed[r], index + 1);
      streamWatermark[r][index] = UNSEEN;
      streamLastFeed[r][index] = UNSEEN;
    }
    return index;
  }

  /**
   * Announces a stream before its first sample (the Kafka partitions assigned at start): until it has fed the rules
   * or stayed silent for their idle time, it holds every window back, so the partition whose records happen to come
   * first after a restart cannot close windows alone.
   */
  public void expect(int id) {
    int index = stream(id);
    for (int r = 0; r < rules.size(); r++) {
      if (streamLastFeed[r][index] == UNSEEN) {
        streamLastFeed[r][index] = feedClock[r];
      }
    }
  }

  /**
   * How long, in the rule's feed time, a stream may feed it nothing before its watermark stops holding the rule's
   * windows back.
   */
  static long idleMillis(AggregationRule rule) {
    return Math.max(3 * rule.interval().toMillis(), 30_000L);
  }

  /**
   * How far a stream may run behind the fastest before it stops holding windows back (its samples then come too
   * late): enough for partitions replaying at different speeds after a restart, not for a partition whose nodes'
   * clocks are hours off, which would otherwise hold every job's windows, and their memory, for that long.
   */
  static long maxLagMillis(AggregationRule rule) {
    return Math.max(60 * rule.interval().toMillis(), LEAST_MAX_LAG.toMillis());
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** Output groups held, over all rules; for tests. */
  int groups() {
    return groupsByRule.stream().mapToInt(Map::size).sum();
  }

  /**
   * Called when a series is resolved to {@code ref}: decides which rules and groups it feeds. A series is resolved
   * again whenever an ingest cache misses it (after a renumbering, or on another remote_write thread): the bindings
   * it already has stay, with whether it is live, or the group would count it live twice and never end.
   */
  public void bind(int ref, Labels labels) {
    if (rules.isEmpty()) {
      return;
    }
    if (ref >= bindings.length) {
      bindings = java.util.Arrays.copyOf(bindings, Math.max(ref + 1, bindings.length * 2));
    }
    Binding[] had = bindings[ref];
    List<Binding> found = new ArrayList<>();
    for (int r = 0; r < rules.size(); r++) {
      AggregationRule rule = rules.get(r);
      if (!rule.metric().equals(labels.metricName())) {
        continue;
      }
      Labels.Builder out = Labels.EMPTY.toBuilder().set(Labels.METRIC_NAME, rule.record());
      for (String label : rule.by()) {
        out.set(label, labels.get(label));
      }
      Group group = groupsByRule.get(r).computeIfAbsent(out.build(), Group::new);
      Binding kept = existing(had, r, group);
      found.add(kept != null ? kept : new Binding(r, group));
    }
    if (had != null) {
      for (Binding b : had) {
        if (!found.contains(b)) {
          b.ended(); // the ref now holds another series (its groups differ): the old one no longer feeds them
        }
      }
    }
    bindings[ref] = found.isEmpty() ? null : found.toArray(Binding[]::new);
  }

  /** The binding of {@code had} to this rule and group, or null. */
  private static Binding existing(Binding[] had, int rule, Group group) {
    if (had != null) {
      for (Binding b : had) {
        if (b.rule() == rule && b.group() == group) {
          return b;
        }
      }
    }
    return null;
  }

  /**
   * Follows the storage's renumbering ({@link io.acceltel.aggregator.storage.RefRenumbering}): bindings move to
   * the new refs, and in open windows the accumulators too. A removed series' accumulator stays in its window under
   * a key no ref can take, so the window is emitted as if nothing happened and a new series given the old ref does
   * not add to it.
   */
  public void renumbered(int[] newRefOfOld) {
    if (rules.isEmpty()) {
      return;
    }
    Binding[][] moved = new Binding[bindings.length][];
    for (int old = 0; old < Math.min(newRefOfOld.length, bindings.length); old++) {
      if (newRefOfOld[old] >= 0) {
        moved[newRefOfOld[old]] = bindings[old];
      } else if (bindings[old] != null) {
        for (Binding b : bindings[old]) {
          b.ended(); // removed: it had stopped
        }
      }
    }
    bindings = moved;
    // A group that no series feeds any more, with nothing open, is gone for good (a job that ended): without
    // this every job ever seen would stay, and each watermark step would walk them all.
    Set<Group> fed = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Binding[] bound : bindings) {
      if (bound != null) {
        for (Binding b : bound) {
          fed.add(b.group());
        }
      }
    }
    for (Map<Labels, Group> groups : groupsByRule) {
      groups.values().removeIf(g -> g.windows.isEmpty() && !fed.contains(g));
      for (Group group : groups.values()) {
        for (Map.Entry<Long, Map<Integer, double[]>> window : group.windows.entrySet()) {
          Map<Integer, double[]> rekeyed = new HashMap<>();
          window.getValue().forEach((ref, acc) -> rekeyed.put(newKey(ref, newRefOfOld), acc));
          window.setValue(rekeyed);
        }
      }
    }
  }

  private int newKey(int ref, int[] newRefOfOld) {
    if (ref < 0) {
      return ref; // detached before
    }
    int moved = ref < newRefOfOld.length ? newRefOfOld[ref] : -1;
    return moved >= 0 ? moved : nextDetachedKey--;
  }

  /**
   * Feeds one freshly appended sample; returns for how many rules it came too late: after its window was emitted
   * (a node or partition behind the others by more than an interval). Such a sample would open the window again,
   * and the second emission of the same timestamp would be dropped by the storage without a trace; it is left out
   * and counted instead.
   */
  public int add(int ref, long timestampMillis, double value, Output output) {
    return add(ref, timestampMillis, value, stream(DEFAULT_STREAM), output);
  }

  /** As {@link #add(int, long, double, Output)}, for a sample of the stream with index {@code stream}. */
  public int add(int ref, long timestampMillis, double value, int stream, Output output) {
    Binding[] bound = ref < bindings.length ? bindings[ref] : null;
    if (bound == null) {
      return 0;
    }
    if (Double.isNaN(value)) {
      if (Double.doubleToRawLongBits(value) == Head.STALE_NAN_BITS) {
        for (Binding b : bound) {
          b.ended();
        }
      }
      return 0;
    }
    long wall = wallClock.getAsLong();
    int late = 0;
    for (Binding b : bound) {
      long interval = rules.get(b.rule()).interval().toMillis();
      long start = Math.floorDiv(timestampMillis, interval) * interval;
      // Late only for its own group: another group running ahead (a partition further along) is no reason to
      // drop a window this group has not written yet.
      if (start + interval <= b.group().emittedThrough) {
        late++;
        continue;
      }
      b.fed();
      double[] acc = b.group().windows.computeIfAbsent(start, k -> new HashMap<>())
          .computeIfAbsent(ref, k -> new double[] {0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
      acc[0] += value;
      acc[1]++;
      acc[2] = Math.min(acc[2], value);
      acc[3] = Math.max(acc[3], value);
      // Not past the wall clock: one node's clock running ahead (decoders take up to 10 minutes) would otherwise
      // close windows before the on-time nodes' samples of them arrive. Replayed data is behind it anyway.
      long seen = Math.min(timestampMillis, wall);
      int r = b.rule();
      advanceFeedClock(r, wall, interval);
      streamLastFeed[r][stream] = feedClock[r];
      if (seen > streamWatermark[r][stream]) {
        streamWatermark[r][stream] = seen;
        long slowest = slowestActiveWatermark(r);
        if (slowest > watermark[r]) {
          watermark[r] = slowest;
          emitClosed(r, output);
        }
      }
    }
    return late;
  }

  /**
   * The lowest watermark among the streams that fed rule {@code r} within its idle time (or were announced that
   * recently) and are at most {@link #maxLagMillis} behind the fastest of them.
   */
  private long slowestActiveWatermark(int r) {
    long idle = idleMillis(rules.get(r));
    long fastest = Long.MIN_VALUE;
    for (int s = 0; s < streamWatermark[r].length; s++) {
      if (active(r, s, idle)) {
        fastest = Math.max(fastest, streamWatermark[r][s]);
      }
    }
    long floor = fastest - maxLagMillis(rules.get(r));
    long slowest = Long.MAX_VALUE;
    for (int s = 0; s < streamWatermark[r].length; s++) {
      if (active(r, s, idle)) {
        long w = streamWatermark[r][s];
        slowest = Math.min(slowest, w == UNSEEN || w >= floor ? w : Long.MAX_VALUE);
      }
    }
    return slowest;
  }

  private boolean active(int r, int s, long idle) {
    long last = streamLastFeed[r][s];
    return last != UNSEEN && feedClock[r] - last <= idle;
  }

  /** Moves rule {@code r}'s feed time on by the wall time since its last sample, at most one interval. */
  private void advanceFeedClock(int r, long wall, long interval) {
    long last = lastFeedWall[r];
    if (last != UNSEEN && wall > last) {
      feedClock[r] += Math.min(wall - last, interval);
    }
    if (last == UNSEEN || wall > last) {
      lastFeedWall[r] = wall;
    }
  }

  /**
   * Emits every window of a rule whose end lies a full interval behind the newest sample seen. A group all of whose
   * input series have ended (each got its staleness marker: the pods are gone, or their GPUs went to another job)
   * gets a staleness marker at the end of its first window that closes empty, as a Prometheus recording rule's
   * series ends once its inputs are stale: without it, a dashboard summing per tenant would keep the old group's
   * last value for the lookback, next to the new group's. A window that is merely empty (inputs sampled less often
   * than the interval, a tick lost, a partition behind) ends nothing.
   */
  private void emitClosed(int r, Output output) {
    AggregationRule rule = rules.get(r);
    long interval = rule.interval().toMillis();
    long closedBefore = watermark[r] - interval;
    for (Group group : groupsByRule.get(r).values()) {
      Iterator<Map.Entry<Long, Map<Integer, double[]>>> it = group.windows.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Long, Map<Integer, double[]>> window = it.next();
        long end = window.getKey() + interval;
        if (end > closedBefore) {
          break;
        }
        endIfAWindowWasSkipped(group, window.getKey(), interval, output);
        output.emit(group.outputLabels, end, compute(rule.op(), window.getValue()));
        group.emittedThrough = end;
        group.ended = false;
        it.remove();
      }
      endIfAWindowWasSkipped(group, closedBefore, interval, output);
    }
  }

  /**
   * Ends the group's output when its inputs have all ended and the window after the last one written closed, by
   * {@code closedThrough}, empty.
   */
  private static void endIfAWindowWasSkipped(Group group, long closedThrough, long interval, Output output) {
    if (group.ended || group.liveInputs > 0 || group.emittedThrough == Long.MIN_VALUE
        || group.emittedThrough + interval > closedThrough) {
      return;
    }
    long end = group.emittedThrough + interval;
    output.emit(group.outputLabels, end, STALE_MARKER);
    group.emittedThrough = end; // a sample of the skipped window arriving now is late, as for a written window
    group.ended = true;
  }

  private static final double STALE_MARKER = Double.longBitsToDouble(Head.STALE_NAN_BITS);

  private static double compute(AggregationRule.Op op, Map<Integer, double[]> perSeries) {
    double sum = 0;
    double count = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sumOfMeans = 0;
    for (double[] acc : perSeries.values()) {
      sum += acc[0];
      count += acc[1];
      min = Math.min(min, acc[2]);
      max = Math.max(max, acc[3]);
      sumOfMeans += acc[0] / acc[1];
    }
    return switch (op) {
      case AVG -> sum / count;
      case SUM -> sumOfMeans;
      case MIN -> min;
      case MAX -> max;
      case COUNT -> perSeries.size();
    };
  }
}
