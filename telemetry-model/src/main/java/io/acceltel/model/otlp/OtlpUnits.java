package io.acceltel.model.otlp;

import io.acceltel.model.catalog.Unit;

/** The UCUM unit strings OTLP uses for the catalog's units (OpenTelemetry semantic conventions). */
final class OtlpUnits {
  private OtlpUnits() {}

  static String of(Unit unit) {
    return switch (unit) {
      case RATIO -> "1";
      case BYTES -> "By";
      case BYTES_PER_SECOND -> "By/s";
      case WATTS -> "W";
      case JOULES -> "J";
      case CELSIUS -> "Cel";
      case HERTZ -> "Hz";
      case SECONDS -> "s";
      case NONE -> "";
    };
  }
}
