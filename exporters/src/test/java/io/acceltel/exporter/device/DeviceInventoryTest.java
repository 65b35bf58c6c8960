package io.acceltel.exporter.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.acceltel.exporter.device.BackendContext.SimulatedSettings;
import io.acceltel.exporter.simulated.SimulatedBackend;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bookkeeping of opened and left-out devices, with simulated readers standing for what a backend opens. */
class DeviceInventoryTest {
  private final SimulatedBackend simulated = new SimulatedBackend(new SimulatedSettings(4, "NVIDIA H100 80GB HBM3", 7));
  private final List<DeviceReader> gpus = simulated.devices();
  /** Keys that open; the others are left out. */
  private final Set<Integer> answering = ConcurrentHashMap.newKeySet();
  /** Keys whose opener throws (a bug, or a binding error), as opposed to reporting a failure. */
  private final Set<Integer> throwing = ConcurrentHashMap.newKeySet();

  @AfterEach
  void close() {
    simulated.close();
  }

  private DeviceInventory<Integer, DeviceReader> open(Integer... keys) {
    return DeviceInventory.open(List.of(keys), (index, retry) -> {
      if (throwing.contains(index)) {
        throw new IllegalStateException("binding error on " + index);
      }
      return answering.contains(index) ? DeviceInventory.Attempt.opened(gpus.get(index))
          : DeviceInventory.Attempt.leftOut(index);
    });
  }

  @Test
  void devicesThatOpenLaterJoinInIndexOrderAndAreHandedOverOnce() {
    answering.addAll(List.of(1, 3));
    DeviceInventory<Integer, DeviceReader> inventory = open(0, 1, 2, 3);
    assertThat(inventory.readers()).extracting(r -> r.identity().index()).containsExactly(1, 3);
    assertThat(inventory.leftOut()).isEqualTo(2);

    answering.addAll(List.of(0, 2));
    assertThat(inventory.retryLeftOut()).extracting(r -> r.identity().index()).containsExactly(0, 2);
    assertThat(inventory.readers()).extracting(r -> r.identity().index()).containsExactly(0, 1, 2, 3);
    assertThat(inventory.leftOut()).isZero();
    assertThat(inventory.retryLeftOut()).isEmpty();
  }

  /** An opener that throws for one key must not make the keys after it, or itself, drop out of the count. */
  @Test
  void aKeyWhoseOpenerThrowsStaysLeftOutAndTheOthersAreStillTried() {
    DeviceInventory<Integer, DeviceReader> inventory = open(0, 1, 2);
    throwing.add(0);
    answering.addAll(List.of(0, 2));

    assertThat(inventory.retryLeftOut()).extracting(r -> r.identity().index()).containsExactly(2);
    assertThat(inventory.leftOut()).isEqualTo(2);

    throwing.clear();
    answering.add(1);
    assertThat(inventory.retryLeftOut()).extracting(r -> r.identity().index()).containsExactly(0, 1);
    assertThat(inventory.leftOut()).isZero();
  }
}
