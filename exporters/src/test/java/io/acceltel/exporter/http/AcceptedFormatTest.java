package io.acceltel.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AcceptedFormatTest {
  private static final String PROTOBUF =
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";

  @Test
  void prometheusOwnHeadersGetTheFormatTheyPreferFirst() {
    assertThat(AcceptedFormat.of("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
        + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")).isEqualTo(AcceptedFormat.OPENMETRICS);
    assertThat(AcceptedFormat.of(PROTOBUF + ";q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"))
        .isEqualTo(AcceptedFormat.PROTOBUF);
    assertThat(AcceptedFormat.of("text/plain;version=1.0.0;escaping=allow-utf-8,*/*;q=0.2"))
        .isEqualTo(AcceptedFormat.TEXT);
  }

  @Test
  void qZeroRefusesAFormatAndTheHighestWeightWins() {
    assertThat(AcceptedFormat.of("application/openmetrics-text;q=0, text/plain")).isEqualTo(AcceptedFormat.TEXT);
    assertThat(AcceptedFormat.of("text/plain;q=1, " + PROTOBUF + ";q=0.1")).isEqualTo(AcceptedFormat.TEXT);
    assertThat(AcceptedFormat.of("text/plain;q=0.2, application/openmetrics-text;q=0.9"))
        .isEqualTo(AcceptedFormat.OPENMETRICS);
  }

  @Test
  void mediaTypesAndParameterNamesAreCaseInsensitive() {
    assertThat(AcceptedFormat.of("APPLICATION/OPENMETRICS-TEXT")).isEqualTo(AcceptedFormat.OPENMETRICS);
    assertThat(AcceptedFormat.of("application/vnd.google.protobuf;PROTO=io.prometheus.client.MetricFamily;"
        + "Encoding=delimited")).isEqualTo(AcceptedFormat.PROTOBUF);
  }

  @Test
  void anythingElseGetsTheTextFormat() {
    assertThat(AcceptedFormat.of(null)).isEqualTo(AcceptedFormat.TEXT);
    assertThat(AcceptedFormat.of("")).isEqualTo(AcceptedFormat.TEXT);
    assertThat(AcceptedFormat.of("application/json")).isEqualTo(AcceptedFormat.TEXT);
    assertThat(AcceptedFormat.of("application/vnd.google.protobuf;proto=other;encoding=delimited"))
        .as("a protobuf this does not serve").isEqualTo(AcceptedFormat.TEXT);
    assertThat(AcceptedFormat.of("application/openmetrics-text;q=abc")).isEqualTo(AcceptedFormat.TEXT);
  }
}
