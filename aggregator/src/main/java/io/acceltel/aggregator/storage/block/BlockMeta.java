package io.acceltel.aggregator.storage.block;

import io.acceltel.aggregator.storage.Resolution;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A block's {@code meta.json}: resolution, time range {@code [minTime, maxTime)} (aligned to the block duration),
 * and counts. Flat JSON written and read by hand: the file is tiny and meant for humans and tools.
 *
 * <pre>{@code
 * BlockMeta m = BlockMeta.parse(Files.readString(dir.resolve("meta.json")));
 * }</pre>
 */
public record BlockMeta(int version, Resolution resolution, long minTime, long maxTime, long numSeries,
    long numChunks, long numSamples) {
  public static final int VERSION = 1;

  /** The directory name: {@code r<resolution ms>-<minTime>-<maxTime>}. */
  public String dirName() {
    return dirName(resolution, minTime, maxTime);
  }

  public static String dirName(Resolution r, long minTime, long maxTime) {
    return "r" + r.millis() + "-" + minTime + "-" + maxTime;
  }

  public String toJson() {
    return "{\n  \"version\": " + version + ",\n  \"resolution_ms\": " + resolution.millis() + ",\n  \"min_time\": "
        + minTime + ",\n  \"max_time\": " + maxTime + ",\n  \"num_series\": " + numSeries + ",\n  \"num_chunks\": "
        + numChunks + ",\n  \"num_samples\": " + numSamples + "\n}\n";
  }

  public static BlockMeta parse(String json) {
    return new BlockMeta((int) field(json, "version"), Resolution.ofMillis(field(json, "resolution_ms")),
        field(json, "min_time"), field(json, "max_time"), field(json, "num_series"), field(json, "num_chunks"),
        field(json, "num_samples"));
  }

  private static long field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(-?\\d+)").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("block meta.json lacks \"" + name + "\": " + json);
    }
    return Long.parseLong(m.group(1));
  }
}
