package io.acceltel.aggregator.storage.chunk;

/**
 * An immutable encoded run of samples of one series: the sealed chunk format of {@code docs/storage-format.md}
 * (header + bit stream), with its time bounds and sample count kept beside it so selection needs no decoding.
 * The byte array is never modified after construction; queries share it without copying.
 *
 * <pre>{@code
 * ChunkIterator it = new ChunkIterator();
 * it.reset(chunk);
 * while (it.next()) { use(it.timestamp(), it.value()); }
 * }</pre>
 */
public record Chunk(long minTime, long maxTime, int count, byte[] data) {

  public boolean overlaps(long mint, long maxt) {
    return minTime <= maxt && maxTime >= mint;
  }
}
