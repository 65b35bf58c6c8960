package io.acceltel.aggregator.ingest;

import io.acceltel.model.series.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The series of one record that a decoder's cache does not know yet, resolved only once the whole record has
 * decoded. A record refused half way (a bad timestamp, a bad label on a later point) must leave nothing behind: a
 * series created for its first points would sit empty in the head, counting against max-series and listed by
 * {@code /api/v1/series} until the next block cut. Until then their samples carry a placeholder ref.
 *
 * <p>One per decoder, reused from record to record; not thread-safe.
 */
final class StagedSeries {
  /** Placeholders run down from here: below {@link SeriesResolver#REFUSED} and the decoders' own markers. */
  static final int FIRST_PLACEHOLDER = -3;

  private final List<Labels> labels = new ArrayList<>();
  private final Map<Labels, Integer> index = new HashMap<>();
  private final List<byte[]> keys = new ArrayList<>();
  private long[] hashes = new long[16];

  void clear() {
    labels.clear();
    index.clear();
    keys.clear();
  }

  /** The placeholder ref for a series not resolved yet; the same for the same labels within one record. */
  int stage(Labels series, long hash, byte[] key, int keyFrom, int keyTo) {
    Integer known = index.get(series);
    if (known != null) {
      return FIRST_PLACEHOLDER - known;
    }
    int i = labels.size();
    labels.add(series);
    index.put(series, i);
    keys.add(Arrays.copyOfRange(key, keyFrom, keyTo));
    if (i == hashes.length) {
      hashes = Arrays.copyOf(hashes, i * 2);
    }
    hashes[i] = hash;
    return FIRST_PLACEHOLDER - i;
  }

  /** Creates (or finds) every staged series, caches their refs and gives the batch's samples their real refs. */
  void resolve(SeriesResolver resolver, SeriesKeyCache cache, SampleBatch batch) {
    if (labels.isEmpty()) {
      return;
    }
    int[] refs = new int[labels.size()];
    for (int i = 0; i < refs.length; i++) {
      refs[i] = resolver.ref(labels.get(i));
      byte[] key = keys.get(i);
      cache.put(hashes[i], key, 0, key.length, refs[i]);
    }
    batch.replacePlaceholders(FIRST_PLACEHOLDER, refs);
    clear();
  }
}
