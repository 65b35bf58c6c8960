package io.acceltel.model.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExcerptTest {
  @Test
  void longTextIsCutAndSaysHowLongItWas() {
    assertThat(Excerpt.of("up")).isEqualTo("up");
    String huge = "a".repeat(1 << 20);
    assertThat(Excerpt.of(huge)).hasSize(Excerpt.MAX_CHARS + "…(1048576 characters)".length())
        .endsWith("…(1048576 characters)");
  }

  /** A query with a carriage return or a terminal escape must not forge or garble a log line. */
  @Test
  void escapedTextHasNoControlCharactersLeft() {
    String forged = "up\r\n2026-12-05 SEVERE forged line\u001b[31m\"quoted\"\\";
    String escaped = Excerpt.escaped(forged, 4096);
    assertThat(escaped).isEqualTo("up\\r\\n2026-12-05 SEVERE forged line\\u001b[31m\\\"quoted\\\"\\\\");
    assertThat(escaped.chars()).noneMatch(c -> c < 0x20 || c == 0x7f);
    assertThat(Excerpt.escaped("x".repeat(10_000), 4096)).startsWith("x".repeat(4096)).hasSizeLessThan(4200);
  }
}
