package io.acceltel.promql.functions;

/**
 * Calendar fields of a Unix time in UTC computed exactly as Go's {@code time} package computes them, so that the date
 * functions agree with Prometheus for every input: Go converts NaN, ±Inf and out-of-range floats to the minimum
 * int64 (on amd64) and then works on an unsigned "absolute" second count that wraps, where {@code java.time} would
 * throw. For ordinary timestamps the results equal {@code java.time}'s.
 */
final class GoTime {
  private static final long SECONDS_PER_DAY = 86_400;
  private static final long DAYS_PER_400_YEARS = 365 * 400 + 97;
  private static final long DAYS_PER_100_YEARS = 365 * 100 + 24;
  private static final long DAYS_PER_4_YEARS = 365 * 4 + 1;
  private static final long ABSOLUTE_ZERO_YEAR = -292_277_022_399L;
  private static final long UNIX_TO_INTERNAL = 62_135_596_800L;
  private static final long INTERNAL_TO_ABSOLUTE = 9_223_371_966_579_724_800L;
  private static final int[] DAYS_BEFORE = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

  final long year;
  final int month;
  final int day;
  final int yearDay;
  final int hour;
  final int minute;
  final int weekday;

  private GoTime(long abs) {
    hour = (int) (Long.remainderUnsigned(abs, SECONDS_PER_DAY) / 3600);
    minute = (int) (Long.remainderUnsigned(abs, 3600) / 60);
    weekday = (int) (Long.remainderUnsigned(abs + SECONDS_PER_DAY, 7 * SECONDS_PER_DAY) / SECONDS_PER_DAY);
    long d = Long.divideUnsigned(abs, SECONDS_PER_DAY);
    long n = d / DAYS_PER_400_YEARS;
    long y = 400 * n;
    d -= DAYS_PER_400_YEARS * n;
    n = d / DAYS_PER_100_YEARS;
    n -= n >> 2;
    y += 100 * n;
    d -= DAYS_PER_100_YEARS * n;
    n = d / DAYS_PER_4_YEARS;
    y += 4 * n;
    d -= DAYS_PER_4_YEARS * n;
    n = d / 365;
    n -= n >> 2;
    y += n;
    d -= 365 * n;
    long fullYear = y + ABSOLUTE_ZERO_YEAR;
    year = fullYear;
    yearDay = (int) d + 1;
    int dd = (int) d;
    int m;
    int dayOfMonth;
    if (isLeap(fullYear) && dd == 31 + 29 - 1) {
      m = 2;
      dayOfMonth = 29;
    } else {
      if (isLeap(fullYear) && dd > 31 + 29 - 1) {
        dd--;
      }
      int est = dd / 31;
      int end = DAYS_BEFORE[est + 1];
      int begin;
      if (dd >= end) {
        est++;
        begin = end;
      } else {
        begin = DAYS_BEFORE[est];
      }
      m = est + 1;
      dayOfMonth = dd - begin + 1;
    }
    month = m;
    day = dayOfMonth;
  }

  /** The fields of {@code seconds} (a sample value), converted to int64 as Go does on amd64. */
  static GoTime ofSeconds(double seconds) {
    long sec = Double.isNaN(seconds) || seconds >= 0x1p63 || seconds < -0x1p63 ? Long.MIN_VALUE : (long) seconds;
    // Go's time.Unix(sec, 0).abs(): int64 arithmetic that wraps, read as unsigned.
    return new GoTime(sec + (UNIX_TO_INTERNAL + INTERNAL_TO_ABSOLUTE));
  }

  int daysInMonth() {
    return switch (month) {
      case 2 -> isLeap(year) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  private static boolean isLeap(long year) {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  }
}
