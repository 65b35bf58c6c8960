package io.acceltel.aggregator.ingest;

import io.acceltel.model.text.Excerpt;

/**
 * Bounds on one series' labels, checked by both decoders the first time they see a series (known series are found
 * by their bytes and cost nothing here). The head is sized by its series count (max-series); without these a single
 * series could carry megabytes of labels, kept in the head, the index and every answer that lists it. acceltel's
 * exporter sends about 20 labels of under 1,024 characters.
 */
final class LabelLimits {
  static final int MAX_LABELS = 128;
  static final int MAX_NAME_CHARS = 1024;
  static final int MAX_VALUE_CHARS = 16 * 1024;

  private LabelLimits() {}

  /** What is wrong with one label, or null when it is within the bounds. */
  static String problem(String name, String value) {
    if (name.length() > MAX_NAME_CHARS) {
      return "label name '" + Excerpt.of(name) + "' is longer than " + MAX_NAME_CHARS + " characters";
    }
    if (value.length() > MAX_VALUE_CHARS) {
      return "the value of label '" + Excerpt.of(name) + "' is " + value.length() + " characters, more than "
          + MAX_VALUE_CHARS;
    }
    return null;
  }

  /** What is wrong with a series of this many labels, or null. */
  static String countProblem(int labels) {
    return labels > MAX_LABELS ? "a series has more than " + MAX_LABELS + " labels" : null;
  }

  /** Refuses a label beyond the bounds, for decoders that refuse a whole record for it. */
  static void checkLabel(String name, String value) throws PoisonRecordException {
    String problem = problem(name, value);
    if (problem != null) {
      throw new PoisonRecordException(PoisonKind.BAD_LABELS, problem);
    }
  }
}
