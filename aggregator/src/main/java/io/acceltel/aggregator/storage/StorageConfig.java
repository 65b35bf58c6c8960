package io.acceltel.aggregator.storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Storage settings, validated once at construction; errors name the setting, the bad value and what is allowed.
 *
 * <pre>{@code
 * StorageConfig config = StorageConfig.builder()
 *     .tiers(Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofHours(1))
 *     .retention(Resolution.RAW, Duration.ofHours(6))
 *     .blockDuration(Resolution.RAW, Duration.ofHours(2))
 *     .build();
 * }</pre>
 *
 * @param tiers the downsampling resolutions, ascending (default 10s, 1m, 5m, 1h)
 * @param retention how long each resolution keeps blocks, measured back from the newest appended sample's
 *     timestamp (data time, not wall-clock, so replay and tests are deterministic); a block is deleted when its
 *     end is older than that; {@code Duration.ZERO} keeps forever. Defaults: raw 6h, 10s 3d, 1m 30d, 5m 180d, 1h 5y
 * @param blockDuration the time span of one block per resolution; a multiple of the resolution. Blocks are
 *     aligned to multiples of it and cut at a checkpoint once the newest sample is 1.5 spans past the block's start
 *     (so the head keeps 1 to 1.5 spans, as Prometheus's head). Defaults: raw 2h, 10s 2h, 1m 6h, 5m 1d, 1h 10d
 * @param chunkSamples target samples (or windows) per chunk; chunks are also cut at block boundaries (default 120)
 * @param cutBlocksOnCheckpoint whether {@link Storage#checkpoint} cuts the blocks that are due (default true)
 * @param retentionOnCheckpoint whether {@link Storage#checkpoint} deletes expired blocks (default true)
 */
public record StorageConfig(List<Resolution> tiers, Map<Resolution, Duration> retention,
    Map<Resolution, Duration> blockDuration, int chunkSamples, boolean cutBlocksOnCheckpoint,
    boolean retentionOnCheckpoint) {

  public StorageConfig {
    tiers = List.copyOf(tiers);
    for (int i = 0; i < tiers.size(); i++) {
      Resolution r = tiers.get(i);
      if (r.isRaw() || r.millis() < 1000) {
        throw new IllegalArgumentException("storage.tiers[" + i + "] = " + r.millis()
            + " ms: a tier must be at least 1 s (raw is always kept, do not list it)");
      }
      if (i > 0 && r.millis() <= tiers.get(i - 1).millis()) {
        throw new IllegalArgumentException("storage.tiers must be strictly ascending; " + r + " follows "
            + tiers.get(i - 1));
      }
    }
    if (chunkSamples < 2 || chunkSamples > 65_535) {
      throw new IllegalArgumentException("storage.chunkSamples = " + chunkSamples + ": allowed 2..65535");
    }
    Map<Resolution, Duration> ret = new TreeMap<>(retention);
    Map<Resolution, Duration> blocks = new TreeMap<>(blockDuration);
    List<Resolution> all = new ArrayList<>();
    all.add(Resolution.RAW);
    all.addAll(tiers);
    for (Resolution r : all) {
      Duration keep = ret.get(r);
      if (keep == null || keep.isNegative()) {
        throw new IllegalArgumentException("storage.retention." + r + " = " + keep
            + ": give a duration >= 0 (0 keeps forever) for every resolution");
      }
      Duration span = blocks.get(r);
      if (span == null || span.toMillis() <= 0) {
        throw new IllegalArgumentException("storage.blockDuration." + r + " = " + span
            + ": give a positive duration for every resolution");
      }
      if (!r.isRaw() && span.toMillis() % r.millis() != 0) {
        throw new IllegalArgumentException("storage.blockDuration." + r + " = " + span + ": must be a multiple of "
            + r + " so that no window straddles two blocks");
      }
    }
    retention = Collections.unmodifiableMap(ret);
    blockDuration = Collections.unmodifiableMap(blocks);
  }

  public static StorageConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Raw followed by the tiers. */
  public List<Resolution> resolutions() {
    List<Resolution> all = new ArrayList<>();
    all.add(Resolution.RAW);
    all.addAll(tiers);
    return all;
  }

  public long blockMillis(Resolution r) {
    return blockDuration.get(r).toMillis();
  }

  /**
   * How far ahead of each other in data time the sources of a replay may run: a quarter of the shortest block span.
   * A block is cut once the newest sample is half a span past its end, so a source this far behind still fills it.
   */
  public Duration maxPartitionSkew() {
    long shortest = Long.MAX_VALUE;
    for (Resolution r : resolutions()) {
      shortest = Math.min(shortest, blockMillis(r));
    }
    return Duration.ofMillis(shortest / 4);
  }

  public long retentionMillis(Resolution r) {
    return retention.get(r).toMillis();
  }

  /** Builds a {@link StorageConfig}; unset values take the documented defaults. */
  public static final class Builder {
    private List<Resolution> tiers = List.of(Resolution.of(Duration.ofSeconds(10)),
        Resolution.of(Duration.ofMinutes(1)), Resolution.of(Duration.ofMinutes(5)), Resolution.of(Duration.ofHours(1)));
    private final Map<Resolution, Duration> retention = new LinkedHashMap<>();
    private final Map<Resolution, Duration> blockDuration = new LinkedHashMap<>();
    private int chunkSamples = 120;
    private boolean cutBlocks = true;
    private boolean retentionOnCheckpoint = true;

    private Builder() {
    }

    public Builder tiers(Duration... durations) {
      List<Resolution> t = new ArrayList<>();
      for (Duration d : durations) {
        t.add(Resolution.of(d));
      }
      this.tiers = t;
      return this;
    }

    public Builder retention(Resolution r, Duration d) {
      retention.put(r, d);
      return this;
    }

    public Builder blockDuration(Resolution r, Duration d) {
      blockDuration.put(r, d);
      return this;
    }

    public Builder chunkSamples(int n) {
      this.chunkSamples = n;
      return this;
    }

    public Builder cutBlocksOnCheckpoint(boolean b) {
      this.cutBlocks = b;
      return this;
    }

    public Builder retentionOnCheckpoint(boolean b) {
      this.retentionOnCheckpoint = b;
      return this;
    }

    public StorageConfig build() {
      Map<Resolution, Duration> ret = new LinkedHashMap<>();
      Map<Resolution, Duration> blocks = new LinkedHashMap<>();
      ret.put(Resolution.RAW, Duration.ofHours(6));
      blocks.put(Resolution.RAW, Duration.ofHours(2));
      for (Resolution r : tiers) {
        ret.put(r, defaultRetention(r));
        blocks.put(r, defaultBlock(r));
      }
      ret.putAll(retention);
      blocks.putAll(blockDuration);
      ret.keySet().retainAll(withRaw(tiers));
      blocks.keySet().retainAll(withRaw(tiers));
      return new StorageConfig(tiers, ret, blocks, chunkSamples, cutBlocks, retentionOnCheckpoint);
    }

    private static List<Resolution> withRaw(List<Resolution> tiers) {
      List<Resolution> all = new ArrayList<>(tiers);
      all.add(Resolution.RAW);
      return all;
    }

    private static Duration defaultRetention(Resolution r) {
      long ms = r.millis();
      if (ms <= 10_000) {
        return Duration.ofDays(3);
      } else if (ms <= 60_000) {
        return Duration.ofDays(30);
      } else if (ms <= 300_000) {
        return Duration.ofDays(180);
      }
      return Duration.ofDays(5 * 365);
    }

    private static Duration defaultBlock(Resolution r) {
      long ms = r.millis();
      Duration d;
      if (ms <= 10_000) {
        d = Duration.ofHours(2);
      } else if (ms <= 60_000) {
        d = Duration.ofHours(6);
      } else if (ms <= 300_000) {
        d = Duration.ofDays(1);
      } else {
        d = Duration.ofDays(10);
      }
      // Round up to a multiple of the resolution, so that any configured tier gets a valid default.
      long span = ((d.toMillis() + ms - 1) / ms) * ms;
      return Duration.ofMillis(span);
    }
  }
}
