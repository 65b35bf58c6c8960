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

  /** One staged series: its labels, and the cache key (a copy the cache may keep) it is cached under. */
  private record Staged(Labels labels, long hash, byte[] key) {}

  private final List<Staged> staged = new ArrayList<>();
  private final Map<Labels, Integer> index = new HashMap<>();

  void clear() {
    staged.clear();
    index.clear();
  }

  /** The placeholder ref for a series not resolved yet; the same for the same labels within one record. */
  int stage(Labels series, long hash, byte[] key, int keyFrom, int keyTo) {
    Integer known = index.get(series);
    if (known != null) {
      return FIRST_PLACEHOLDER - known;
    }
    int i = staged.size();
    staged.add(new Staged(series, hash, Arrays.copyOfRange(key, keyFrom, keyTo)));
    index.put(series, i);
    return FIRST_PLACEHOLDER - i;
  }

  /**
   * Creates (or finds) every staged series that kept a sample, caches their refs and gives the batch's samples their
   * real refs. A series all of whose samples were left out (every timestamp too far ahead) is not created: it would
   * sit empty in the head as a refused record's would.
   */
  void resolve(SeriesResolver resolver, SeriesKeyCache cache, SampleBatch batch) {
    if (staged.isEmpty()) {
      return;
    }
    boolean[] kept = new boolean[staged.size()];
    for (int i = 0; i < batch.size(); i++) {
      int ref = batch.ref(i);
      if (ref <= FIRST_PLACEHOLDER) {
        kept[FIRST_PLACEHOLDER - ref] = true;
      }
    }
    int[] refs = new int[staged.size()];
    for (int i = 0; i < refs.length; i++) {
      if (!kept[i]) {
        refs[i] = SeriesResolver.REFUSED; // no sample refers to it
        continue;
      }
      Staged s = staged.get(i);
      refs[i] = resolver.ref(s.labels());
      cache.putOwned(s.hash(), s.key(), refs[i]);
    }
    batch.replacePlaceholders(refs);
    clear();
  }
}
