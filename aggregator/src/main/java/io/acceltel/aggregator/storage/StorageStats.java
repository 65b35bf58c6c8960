package io.acceltel.aggregator.storage;

import java.util.Map;

/**
 * A point-in-time view of the storage's size, for monitoring and for the bytes-per-sample and memory-per-series
 * benchmarks. Read without stopping the writer, so the numbers may be a few samples apart from each other.
 *
 * <pre>{@code
 * StorageStats s = storage.stats();
 * double bytesPerSample = (double) s.headRawBytes() / s.headRawSamples();
 * }</pre>
 *
 * @param series series in the head
 * @param seriesRemoved series removed from the head since open, once all their data was in blocks
 * @param samplesAppended samples appended since open (replay included)
 * @param samplesDropped samples dropped as duplicate, out of order or too old since open
 * @param headRawSamples raw samples held in head chunks
 * @param headRawBytes encoded bytes of those chunks (sealed plus open)
 * @param headTierBytes encoded bytes of the head's tier chunks, all tiers
 * @param diskBytes bytes of blocks on disk per resolution
 * @param diskSamples raw samples (raw) or windows (tiers) in blocks per resolution
 * @param blocks block count per resolution
 */
public record StorageStats(long series, long seriesRemoved, long samplesAppended, long samplesDropped,
    long headRawSamples, long headRawBytes, long headTierBytes, Map<Resolution, Long> diskBytes,
    Map<Resolution, Long> diskSamples, Map<Resolution, Integer> blocks) {
}
