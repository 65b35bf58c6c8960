package io.acceltel.aggregator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A response over the bound is refused as the other query limits are (422 execution), not grown without end. */
class JsonWriterLimitTest {
  @Test
  void aResponseOverTheBoundIsAnExecutionErrorAndOneUnderItIsWhole() {
    JsonWriter fits = new JsonWriter(16, 4096).beginArray();
    for (int i = 0; i < 300; i++) {
      fits.string("0123456789");
    }
    assertThat(fits.endArray().size()).as("[, 300 quoted strings, 299 commas, ]").isEqualTo(2 + 300 * 13 - 1);

    JsonWriter over = new JsonWriter(16, 4096).beginArray();
    assertThatThrownBy(() -> {
      for (int i = 0; i < 1000; i++) {
        over.string("0123456789");
      }
    }).isInstanceOfSatisfying(ApiError.class, e -> {
      assertThat(e.status()).isEqualTo(422);
      assertThat(e.type()).isEqualTo("execution");
      assertThat(e.getMessage()).contains("larger than 4096 bytes");
    });
  }
}
