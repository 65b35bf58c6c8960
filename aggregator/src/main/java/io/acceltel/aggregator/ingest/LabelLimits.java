package io.acceltel.aggregator.ingest;

import io.acceltel.model.text.Excerpt;

/**
 * Bounds on one series' labels, checked by both decoders the first time they see a series (known series are found
 * by their bytes and cost nothing here). The head is sized by its series count (max-series); without these a single
 * series could carry megabytes of labels, kept in the head, the index and every answer that lists it. acceltel's
 * exporter sends about 20 labels of under 300 bytes.
 */
final class LabelLimits {
  static final int MAX_LABELS = 128;
  static final int MAX_NAME_CHARS = 1024;
  static final int MAX_VALUE_CHARS = 16 * 1024;

  private LabelLimits() {}

  static void checkLabel(String name, String value) throws PoisonRecordException {
    if (name.length() > MAX_NAME_CHARS) {
      throw new PoisonRecordException(PoisonKind.BAD_LABELS, "label name '" + Excerpt.of(name) + "' is longer than "
          + MAX_NAME_CHARS + " characters");
    }
    if (value.length() > MAX_VALUE_CHARS) {
      throw new PoisonRecordException(PoisonKind.BAD_LABELS, "the value of label '" + Excerpt.of(name)
          + "' is " + value.length() + " characters, more than " + MAX_VALUE_CHARS);
    }
  }

  static void checkCount(int labels) throws PoisonRecordException {
    if (labels > MAX_LABELS) {
      throw new PoisonRecordException(PoisonKind.BAD_LABELS, "a series has more than " + MAX_LABELS + " labels");
    }
  }
}
