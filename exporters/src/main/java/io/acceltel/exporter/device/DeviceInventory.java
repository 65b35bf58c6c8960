package io.acceltel.exporter.device;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The devices a backend has found: the readers of those it opened, and the keys of those it could not open yet
 * (an NVML index, a DCMI card and chip), with the one way it opens a key, which {@link #retryLeftOut()} uses again.
 * A GPU unreadable while the exporter starts (a reset in progress, a driver still loading) would otherwise stay
 * left out, and its node unhealthy, until the exporter restarts.
 *
 * <pre>{@code
 * DeviceInventory<Integer, NvmlDeviceReader> gpus =
 *     DeviceInventory.open(List.of(0, 1, 2), (index, retry) -> openGpu(index, retry));
 * gpus.readers();       // GPUs 0 and 2
 * gpus.leftOut();       // 1
 * gpus.retryLeftOut();  // [GPU 1] once it opens
 * }</pre>
 *
 * @param <K> what names a device the backend has yet to open
 * @param <R> the backend's reader type
 */
public final class DeviceInventory<K, R extends DeviceReader> {
  /** Opens the device (or devices) behind one key. */
  @FunctionalInterface
  public interface Opener<K, R extends DeviceReader> {
    /**
     * @param retry false at start, true when trying again: a failure then repeats one already logged, so the
     *     opener logs it quietly
     */
    Attempt<K, R> open(K key, boolean retry);
  }

  /** What opening one key gave: the readers that opened, and the keys still left out. */
  public record Attempt<K, R extends DeviceReader>(List<R> opened, List<K> leftOut) {
    public Attempt {
      opened = List.copyOf(opened);
      leftOut = List.copyOf(leftOut);
    }

    public static <K, R extends DeviceReader> Attempt<K, R> none() {
      return new Attempt<>(List.of(), List.of());
    }

    public static <K, R extends DeviceReader> Attempt<K, R> opened(R reader) {
      return new Attempt<>(List.of(reader), List.of());
    }

    public static <K, R extends DeviceReader> Attempt<K, R> leftOut(K key) {
      return new Attempt<>(List.of(), List.of(key));
    }

    /** The two attempts' readers and left-out keys together. */
    public Attempt<K, R> and(Attempt<K, R> other) {
      List<R> readers = new ArrayList<>(opened);
      readers.addAll(other.opened);
      List<K> keys = new ArrayList<>(leftOut);
      keys.addAll(other.leftOut);
      return new Attempt<>(readers, keys);
    }
  }

  private static final Logger LOG = Logger.getLogger(DeviceInventory.class.getName());
  private static final Comparator<DeviceReader> BY_INDEX = Comparator.comparingInt(r -> r.identity().index());

  private final Opener<K, R> opener;
  /** Guarded by this, in index order. */
  private final List<R> readers = new ArrayList<>();
  /** Guarded by this. */
  private final List<K> leftOut = new ArrayList<>();

  private DeviceInventory(Opener<K, R> opener) {
    this.opener = opener;
  }

  /** Opens every key; those that do not open are kept to try again. */
  public static <K, R extends DeviceReader> DeviceInventory<K, R> open(List<K> keys, Opener<K, R> opener) {
    DeviceInventory<K, R> inventory = new DeviceInventory<>(opener);
    synchronized (inventory) {
      for (K key : keys) {
        inventory.add(opener.open(key, false));
      }
      inventory.readers.sort(BY_INDEX);
    }
    return inventory;
  }

  /** The readers of every device opened so far, in index order. */
  public synchronized List<R> readers() {
    return List.copyOf(readers);
  }

  /** How many keys are still left out (a key can stand for more than one device: a card whose chips are unknown). */
  public synchronized int leftOut() {
    return leftOut.size();
  }

  /**
   * Tries every left-out key once more and returns the readers of the devices that open now, in index order; they
   * also join {@link #readers()}. A key whose opener throws stays left out, for the next retry. Holds this
   * inventory's lock throughout, so the backend's close, which takes it too through {@link #forEachReader}, never
   * frees what an opening device is using.
   */
  public synchronized List<R> retryLeftOut() {
    if (leftOut.isEmpty()) {
      return List.of();
    }
    List<R> newlyOpened = new ArrayList<>();
    for (K key : List.copyOf(leftOut)) {
      Attempt<K, R> attempt;
      try {
        attempt = opener.open(key, true);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "opening " + key + " again failed; it stays left out", e);
        continue;
      }
      leftOut.remove(key);
      newlyOpened.addAll(attempt.opened());
      add(attempt);
    }
    readers.sort(BY_INDEX);
    newlyOpened.sort(BY_INDEX);
    return List.copyOf(newlyOpened);
  }

  /** Runs the action on every reader under this inventory's lock: how the backend closes them. */
  public synchronized void forEachReader(Consumer<? super R> action) {
    readers.forEach(action);
  }

  private void add(Attempt<K, R> attempt) {
    readers.addAll(attempt.opened());
    leftOut.addAll(attempt.leftOut());
  }
}
