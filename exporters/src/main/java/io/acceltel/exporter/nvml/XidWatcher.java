package io.acceltel.exporter.nvml;

import com.sun.jna.Pointer;
import io.acceltel.exporter.device.NativeCallObserver;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The XID event thread: one NVML event set with every device registered for {@code nvmlEventTypeXidCriticalError},
 * and a daemon thread blocked in {@code nvmlEventSetWait_v2} that maps each event's device handle back to that
 * device's {@link XidCounters}. XIDs are events, not pollable state: a tick loop would miss them. A lost GPU fails
 * every wait on the set, so the set is then built again without it.
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
  private static final String CREATE = "nvmlEventSetCreate";

  private final NvmlLibrary nvml;
  private final NativeCallObserver observer;
  /**
   * Every device registered, by handle: where an event goes, and what to register again into a rebuilt set. A
   * device that recovered with a new handle replaces its old registration. Guarded by {@link #setLock}.
   */
  private final Map<Long, Registration> registrations = new LinkedHashMap<>();
  /** Guards the event set: registrations, its rebuild and its release. The wait runs outside it. */
  private final Object setLock = new Object();
  private Pointer eventSet;
  private final Thread thread;
  private volatile boolean running = true;

  private record Registration(Pointer handle, XidCounters counters, String deviceName) {}

  private XidWatcher(NvmlLibrary nvml, NativeCallObserver observer, Pointer eventSet) {
    this.nvml = nvml;
    this.observer = observer;
    this.eventSet = eventSet;
    this.thread = new Thread(this::loop, "acceltel-nvml-xid");
    thread.setDaemon(true);
  }

  /** Creates the event set and starts the thread; null when NVML cannot create an event set (then no XIDs). */
  static XidWatcher start(NvmlLibrary nvml, NativeCallObserver observer) {
    Pointer set = createSet(nvml, observer);
    if (set == null) {
      LOG.warning("XID errors will not be reported: NVML could not create an event set");
      return null;
    }
    XidWatcher watcher = new XidWatcher(nvml, observer, set);
    watcher.thread.start();
    return watcher;
  }

  private static Pointer createSet(NvmlLibrary nvml, NativeCallObserver observer) {
    NativeOut out = new NativeOut();
    int rc = nvml.nvmlEventSetCreate(out.slot(0));
    if (rc != NvmlReturn.SUCCESS) {
      observer.failed(CallGuard.BACKEND, CREATE, rc, NvmlReturn.name(rc));
      return null;
    }
    return out.pointer(0);
  }

  /**
   * Registers a device for XID events; its XID metrics are reported from then on. NOT_SUPPORTED is logged once and
   * leaves the set usable for the others. Called again after a device recovered, in case its handle changed.
   */
  void register(Pointer handle, XidCounters counters, String deviceName) {
    synchronized (setLock) {
      registrations.values().removeIf(r -> r.counters() == counters);
      registrations.put(Pointer.nativeValue(handle), new Registration(handle, counters, deviceName));
      if (eventSet != null) {
        registerInto(eventSet, handle, counters, deviceName);
      }
    }
  }

  private int registerInto(Pointer set, Pointer handle, XidCounters counters, String deviceName) {
    int rc = nvml.nvmlDeviceRegisterEvents(handle, NvmlLibrary.NVML_EVENT_TYPE_XID_CRITICAL_ERROR, set);
    counters.watched(rc == NvmlReturn.SUCCESS);
    if (rc == NvmlReturn.NOT_SUPPORTED) {
      LOG.info(deviceName + " does not report XID events (nvmlDeviceRegisterEvents: NOT_SUPPORTED)");
    } else if (rc != NvmlReturn.SUCCESS && rc != NvmlReturn.GPU_IS_LOST) {
      observer.failed(CallGuard.BACKEND, "nvmlDeviceRegisterEvents", rc, NvmlReturn.name(rc));
      LOG.warning("XID events of " + deviceName + " will not be reported: nvmlDeviceRegisterEvents returned "
          + NvmlReturn.name(rc));
    }
    return rc;
  }

  private void loop() {
    NvmlStructs.EventData data = new NvmlStructs.EventData();
    while (running) {
      Pointer set;
      synchronized (setLock) {
        set = eventSet;
      }
      int rc = nvml.nvmlEventSetWait_v2(set, data, WAIT_MILLIS);
      if (rc == NvmlReturn.SUCCESS) {
        dispatch(data);
      } else if (rc == NvmlReturn.GPU_IS_LOST && running) {
        rebuildWithoutLostDevices();
        pause();
      } else if (rc != NvmlReturn.TIMEOUT && running) {
        // Counted, with a pause so that an event set that fails at once cannot spin this thread.
        observer.failed(CallGuard.BACKEND, WAIT, rc, NvmlReturn.name(rc));
        pause();
      }
    }
  }

  /**
   * After a GPU falls off the bus (XID 79), every wait on a set it is in fails at once with GPU_IS_LOST: for all
   * devices, not only the lost one. A new set with only the devices that still answer lets the others' XIDs
   * through; the lost one joins again through {@link #register} when it recovers.
   */
  private void rebuildWithoutLostDevices() {
    synchronized (setLock) {
      Pointer rebuilt = createSet(nvml, observer);
      if (rebuilt == null) {
        return; // tried again after the next failing wait
      }
      for (Registration r : registrations.values()) {
        if (registerInto(rebuilt, r.handle(), r.counters(), r.deviceName()) == NvmlReturn.GPU_IS_LOST) {
          LOG.info(() -> "XID events of " + r.deviceName() + " are not watched while it is lost; the other "
              + "devices' still are");
        }
      }
      // Only this thread waits on a set, and it is here: nothing can be inside the driver with the old one.
      nvml.nvmlEventSetFree(eventSet);
      eventSet = rebuilt;
    }
  }

  private void dispatch(NvmlStructs.EventData data) {
    if ((data.eventType & NvmlLibrary.NVML_EVENT_TYPE_XID_CRITICAL_ERROR) == 0 || data.device == null) {
      return;
    }
    Registration device;
    synchronized (setLock) {
      device = registrations.get(Pointer.nativeValue(data.device));
    }
    if (device == null) {
      LOG.fine("XID " + data.eventData + " from a device handle this backend does not know");
      return;
    }
    device.counters().record((int) data.eventData);
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
    synchronized (setLock) {
      nvml.nvmlEventSetFree(eventSet);
      eventSet = null;
    }
  }
}
