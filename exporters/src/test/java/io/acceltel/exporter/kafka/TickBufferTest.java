package io.acceltel.exporter.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.collect.CollectionLoop;
import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import io.acceltel.model.otlp.OtlpEncoder;
import org.junit.jupiter.api.Test;

class TickBufferTest {
  private static byte[] tickOf8Gpus() {
    try (SimulatedBackend backend = new SimulatedBackend(new SimulatedSettings(8, "NVIDIA H100 80GB HBM3", 5));
        CollectionLoop loop = CollectionLoop.builder("n", backend.devices()).build()) {
      return new OtlpEncoder("t").encode(loop.tick(1_795_349_049_000L));
    }
  }

  /** Ten minutes of held ticks must fit the exporter's 64 MB heap, so ticks wait compressed. */
  @Test
  void heldTicksAreSmallAndComeBackExactly() {
    byte[] payload = tickOf8Gpus();
    TickBuffer.Tick tick = TickBuffer.Tick.of("n", 1L, payload);
    assertThat(tick.compressed().length).isLessThan(payload.length / 10);
    assertThat(600L * tick.compressed().length).as("600 held ticks").isLessThan(16L << 20);
    assertThat(tick.payload()).isEqualTo(payload);
  }

  @Test
  void dropsTheOldestWaitingTickButNeverTheOneInFlight() throws Exception {
    TickBuffer buffer = new TickBuffer(2);
    buffer.offer(TickBuffer.Tick.of("n", 1, new byte[] {1}));
    assertThat(buffer.takeForSending(0).timestampMillis()).isEqualTo(1);
    buffer.offer(TickBuffer.Tick.of("n", 2, new byte[] {2}));
    assertThat(buffer.offer(TickBuffer.Tick.of("n", 3, new byte[] {3}))).isEqualTo(1);
    assertThat(buffer.dropped()).isEqualTo(1);
    assertThat(buffer.takeForSending(0).timestampMillis()).as("still the one in flight").isEqualTo(1);
    buffer.acknowledged();
    assertThat(buffer.takeForSending(0).timestampMillis()).as("tick 2 was dropped, 3 kept").isEqualTo(3);
  }
}
