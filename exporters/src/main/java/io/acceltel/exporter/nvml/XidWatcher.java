package io.acceltel.exporter.nvml;

import com.sun.jna.Pointer;
import io.acceltel.exporter.device.NativeCallObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The XID event thread: one NVML event set with every device registered for {@code nvmlEventTypeXidCriticalError},
 * and a daemon thread blocked in {@code nvmlEventSetWait_v2} that maps each event's device handle back to that
 * device's {@link XidCounters}. XIDs are events, not pollable state: a tick loop would miss them.
 *
 * <pre>{@code
 * XidWatcher watcher = XidWatcher.start(nvml, observer);
 * watcher.register(handle, counters, "GPU 0");
 * ...
 * watcher.close(); // stops the thread, then frees the event set
 * }</pre>
 */
final class XidWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(XidWatcher.class.getName());
  /** How long one wait blocks; also bounds how long {@link #close()} waits for the thread. */
  static final int WAIT_MILLIS = 500;
  private static final String WAIT = "nvmlEventSetWait_v2";

  private final NvmlLibrary nvml;
  private final NativeCallObserver observer;
  private final Pointer eventSet;
  private final Map<Long, XidCounters> byHandle = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  private XidWatcher(NvmlLibrary nvml, NativeCallObserver observer, Pointer eventSet) {
    this.nvml = nvml;
    this.observer = observer;
    this.eventSet = eventSet;
    this.thread = new Thread(this::loop, "acceltel-nvml-xid");
    thread.setDaemon(true);
  }

  /** Creates the event set and starts the thread; null when NVML cannot create an event set (then no XIDs). */
  static XidWatcher start(NvmlLibrary nvml, NativeCallObserver observer) {
    NativeOut out = new NativeOut();
    int rc = nvml.nvmlEventSetCreate(out.slot(0));
    if (rc != NvmlReturn.SUCCESS) {
      observer.failed(CallGuard.BACKEND, "nvmlEventSetCreate", rc, NvmlReturn.name(rc));
      LOG.warning("XID errors will not be reported: nvmlEventSetCreate returned " + NvmlReturn.name(rc));
      return null;
    }
    XidWatcher watcher = new XidWatcher(nvml, observer, out.pointer(0));
    watcher.thread.start();
    return watcher;
  }

  /**
   * Registers a device for XID events. NOT_SUPPORTED is logged once and leaves the set usable for the others.
   * Called again after a device recovered, in case its handle changed.
   */
  void register(Pointer handle, XidCounters counters, String deviceName) {
    byHandle.put(Pointer.nativeValue(handle), counters);
    int rc = nvml.nvmlDeviceRegisterEvents(handle, NvmlLibrary.NVML_EVENT_TYPE_XID_CRITICAL_ERROR, eventSet);
    if (rc == NvmlReturn.NOT_SUPPORTED) {
      LOG.info(deviceName + " does not report XID events (nvmlDeviceRegisterEvents: NOT_SUPPORTED)");
    } else if (rc != NvmlReturn.SUCCESS) {
      observer.failed(CallGuard.BACKEND, "nvmlDeviceRegisterEvents", rc, NvmlReturn.name(rc));
      LOG.warning("XID events of " + deviceName + " will not be reported: nvmlDeviceRegisterEvents returned "
          + NvmlReturn.name(rc));
    }
  }

  private void loop() {
    NvmlStructs.EventData data = new NvmlStructs.EventData();
    while (running) {
      int rc = nvml.nvmlEventSetWait_v2(eventSet, data, WAIT_MILLIS);
      if (rc == NvmlReturn.SUCCESS) {
        dispatch(data);
      } else if (rc != NvmlReturn.TIMEOUT && running) {
        // GPU_IS_LOST is the readers' business; anything else is counted. Back off so an event set that fails
        // at once cannot spin this thread.
        if (rc != NvmlReturn.GPU_IS_LOST) {
          observer.failed(CallGuard.BACKEND, WAIT, rc, NvmlReturn.name(rc));
        }
        pause();
      }
    }
  }

  private void dispatch(NvmlStructs.EventData data) {
    if ((data.eventType & NvmlLibrary.NVML_EVENT_TYPE_XID_CRITICAL_ERROR) == 0 || data.device == null) {
      return;
    }
    XidCounters counters = byHandle.get(Pointer.nativeValue(data.device));
    if (counters == null) {
      LOG.fine("XID " + data.eventData + " from a device handle this backend does not know");
      return;
    }
    counters.record((int) data.eventData);
  }

  private void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** Stops the thread (within one wait timeout) and frees the event set once no wait can be using it. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(WAIT_MILLIS * 4L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      // Freeing the set under a wait still inside the driver would be a use-after-free: leak it instead.
      LOG.log(Level.WARNING, "the XID thread did not stop in time; its event set is not freed");
      return;
    }
    nvml.nvmlEventSetFree(eventSet);
  }
}
