package io.acceltel.exporter.nvml;

import com.sun.jna.Pointer;

/**
 * Decodes the 8-byte {@code nvmlValue_t} union by its {@code nvmlValueType_t}. The union's raw bytes are read as one
 * little-endian {@code long} (x86_64 and aarch64 are both little-endian), so a 32-bit member is the low half.
 */
final class NvmlValue {
  static final int DOUBLE = 0;
  static final int UNSIGNED_INT = 1;
  static final int UNSIGNED_LONG = 2;
  static final int UNSIGNED_LONG_LONG = 3;
  static final int SIGNED_LONG_LONG = 4;
  static final int SIGNED_INT = 5;
  static final int UNSIGNED_SHORT = 6;

  private NvmlValue() {}

  /** The value as a double; unsigned 64-bit values above 2^63 lose precision, as any double would. */
  static double toDouble(int valueType, long raw) {
    switch (valueType) {
      case DOUBLE:
        return Double.longBitsToDouble(raw);
      case UNSIGNED_INT:
        return raw & 0xFFFF_FFFFL;
      case SIGNED_INT:
        return (int) raw;
      case UNSIGNED_SHORT:
        return raw & 0xFFFFL;
      case SIGNED_LONG_LONG:
        return raw;
      case UNSIGNED_LONG:
      case UNSIGNED_LONG_LONG:
      default:
        return unsignedToDouble(raw);
    }
  }

  /** Whether the type is 32 bits wide, so a counter of this type wraps at 2^32. */
  static boolean is32Bit(int valueType) {
    return valueType == UNSIGNED_INT || valueType == SIGNED_INT;
  }

  /** An {@code unsigned long long} field of a native struct, at its byte offset. */
  static double unsignedField(Pointer struct, long offset) {
    return unsignedToDouble(struct.getLong(offset));
  }

  static double unsignedToDouble(long value) {
    return value >= 0 ? value : (double) (value >>> 1) * 2.0 + (value & 1);
  }
}
