package io.acceltel.exporter.dcmi;

import com.sun.jna.Memory;
import io.acceltel.exporter.device.BackendContext;
import io.acceltel.exporter.device.BackendUnavailableException;
import io.acceltel.exporter.device.DeviceBackend;
import io.acceltel.exporter.device.DeviceInventory;
import io.acceltel.exporter.device.DeviceReader;
import io.acceltel.exporter.device.MissingFunctions;
import io.acceltel.exporter.device.NativeCallObserver;
import io.acceltel.model.snapshot.DeviceIdentity;
import io.acceltel.model.snapshot.Vendor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Huawei Ascend NPUs through DCMI: enumerates cards and the NPUs on each card at open, the way npu-exporter does
 * ({@code dcmi_get_card_list} → {@code dcmi_get_device_num_in_card} → {@code dcmi_get_device_logic_id}), tries
 * again later for a card or NPU it could not open then, and identifies each NPU by its physical id, VDie id and
 * chip name.
 *
 * <p>An NPU's {@link DeviceIdentity#index()} is its <em>physical</em> id, the number in the Ascend device plugin's
 * Kubernetes device ids ({@code Ascend910-<phy>}) and in npu-exporter's {@code id} label, so attribution can join
 * on it; its {@code uuid} is the VDie id (five hex words, npu-exporter's {@code vdie_id}); its model is the chip
 * type and name, e.g. {@code Ascend910B3}.
 *
 * <pre>{@code
 * try (DeviceBackend backend = new DcmiBackendProvider().open(context)) {
 *   System.out.println(backend.description()); // Huawei Ascend DCMI 24.1.rc2, 8 NPUs
 * }
 * }</pre>
 */
public final class DcmiBackend implements DeviceBackend {
  static final String NAME = "dcmi";
  private static final Logger LOG = Logger.getLogger(DcmiBackend.class.getName());
  /** Ten tries a second apart: the driver's own start, not a hang, is what NOT_READY means at this point. */
  private static final int NOT_READY_ATTEMPTS = 10;
  private static final long NOT_READY_BACKOFF_MILLIS = 1000;
  private static final String CARD_LIST = "dcmi_get_card_list";

  private final String version;
  private final DeviceInventory<Slot, DcmiDeviceReader> npus;

  /** An NPU by card and chip, or a whole card ({@link #WHOLE_CARD}) whose chips could not be counted. */
  private record Slot(int card, int device) {
    static final int WHOLE_CARD = -1;
  }

  private DcmiBackend(String version, DeviceInventory<Slot, DcmiDeviceReader> npus) {
    this.version = version;
    this.npus = npus;
  }

  static DcmiBackend open(BackendContext context) throws BackendUnavailableException {
    DcmiLibrary loaded = DcmiLoader.load(context.nativeLibrary());
    DcmiLoader.init(loaded, context.nativeLibrary().map(Object::toString).orElse(DcmiLoader.DEFAULT_LIBRARY));
    // From here on a function the driver lacks answers -8255: left out, like one it does not support.
    DcmiLibrary dcmi = MissingFunctions.answering(DcmiLibrary.class, loaded, DcmiReturn.NOT_SUPPORTED);
    byte[] text = new byte[64];
    String version = dcmi.dcmi_get_dcmi_version(text, text.length) == DcmiReturn.SUCCESS ? decode(text, 0, 64)
        : "unknown";
    List<Slot> cards = Arrays.stream(cards(dcmi)).mapToObj(card -> new Slot(card, Slot.WHOLE_CARD)).toList();
    return new DcmiBackend(version, DeviceInventory.open(cards, (slot, retry) -> openSlot(dcmi, slot, version,
        context.observer(), retry ? Try.AGAIN : Try.AT_START)));
  }

  /** Which try at a slot this is: it decides how a failure and a success are told. */
  private enum Try {
    /** At start: a failure is warned about and counted. */
    AT_START,
    /** The first try at an NPU of a card counted only now: a failure is new, a success is late. */
    FIRST_LATE,
    /** A slot tried before: its failure was told already, only a success is news. */
    AGAIN
  }

  /**
   * Opens a card's NPUs, or one NPU. A card whose NPUs cannot be counted stays one left-out slot: at least one NPU
   * the driver lists, unknown how many, which is enough to fail the node's health.
   */
  private static DeviceInventory.Attempt<Slot, DcmiDeviceReader> openSlot(DcmiLibrary dcmi, Slot slot,
      String version, NativeCallObserver observer, Try attempt) {
    if (slot.device() != Slot.WHOLE_CARD) {
      DcmiDeviceReader reader = openNpu(dcmi, slot.card(), slot.device(), version, observer, attempt == Try.AGAIN);
      if (reader == null) {
        return DeviceInventory.Attempt.leftOut(slot);
      }
      if (attempt != Try.AT_START) {
        LOG.info("NPU " + slot.device() + " of card " + slot.card() + " (physical id " + reader.identity().index()
            + ") opened; it was left out until now");
      }
      return DeviceInventory.Attempt.opened(reader);
    }
    int devices = devicesInCard(dcmi, slot.card(), attempt == Try.AGAIN ? Level.FINE : Level.WARNING);
    if (devices < 0) {
      return DeviceInventory.Attempt.leftOut(slot);
    }
    DeviceInventory.Attempt<Slot, DcmiDeviceReader> all = DeviceInventory.Attempt.none();
    for (int device = 0; device < devices; device++) {
      all = all.and(openSlot(dcmi, new Slot(slot.card(), device), version, observer,
          attempt == Try.AT_START ? Try.AT_START : Try.FIRST_LATE));
    }
    return all;
  }

  private static int[] cards(DcmiLibrary dcmi) throws BackendUnavailableException {
    Memory count = new Memory(4);
    Memory list = new Memory(4L * DcmiLayout.MAX_CARDS);
    String function = CARD_LIST;
    int rc = untilReady(count, () -> dcmi.dcmi_get_card_list(count, list, DcmiLayout.MAX_CARDS));
    if (rc == DcmiReturn.NOT_SUPPORTED) {
      function = "dcmi_get_card_num_list"; // the older name
      rc = untilReady(count, () -> dcmi.dcmi_get_card_num_list(count, list, DcmiLayout.MAX_CARDS));
    }
    if (rc != DcmiReturn.SUCCESS) {
      throw new BackendUnavailableException("DCMI could not list the NPU cards (" + function + " returned "
          + DcmiReturn.name(rc) + ", code " + rc + "): check the NPUs with npu-smi info.");
    }
    int n = Math.min(Math.max(count.getInt(0), 0), DcmiLayout.MAX_CARDS);
    return list.getIntArray(0, n);
  }

  private static int devicesInCard(DcmiLibrary dcmi, int card, Level level) {
    Memory out = new Memory(4);
    int rc = untilReady(out, () -> dcmi.dcmi_get_device_num_in_card(card, out));
    if (rc != DcmiReturn.SUCCESS) {
      LOG.log(level, "card " + card + " is left out: dcmi_get_device_num_in_card returned " + DcmiReturn.name(rc));
      return -1;
    }
    int count = out.getInt(0);
    if (count < 0 || count > DcmiLayout.MAX_DEVICES_PER_CARD) {
      // At most four NPUs per card (reference/dcmi.md): a larger count is garbage, not a reason to loop on.
      LOG.warning("card " + card + ": dcmi_get_device_num_in_card says " + count + " NPUs, more than the "
          + DcmiLayout.MAX_DEVICES_PER_CARD + " a card has; reading the first " + DcmiLayout.MAX_DEVICES_PER_CARD);
    }
    return Math.min(Math.max(count, 0), DcmiLayout.MAX_DEVICES_PER_CARD);
  }

  /**
   * Identifies one NPU, or returns null (logged) when it cannot be addressed at all; {@code repeat}: the same failure
   * was counted and warned about before, so it is only logged at FINE.
   */
  private static DcmiDeviceReader openNpu(DcmiLibrary dcmi, int card, int device, String version,
      NativeCallObserver observer, boolean repeat) {
    Memory out = new Memory(DcmiLayout.BUFFER);
    int rc = untilReady(out, () -> dcmi.dcmi_get_device_logic_id(out, card, device));
    String npu = "NPU " + device + " of card " + card;
    if (rc != DcmiReturn.SUCCESS) {
      return leftOut(observer, repeat, npu, "dcmi_get_device_logic_id", rc, "");
    }
    int logic = out.getInt(0);
    // The physical id is what Kubernetes device ids carry, so attribution joins on it. Only a driver without the
    // call gets the logic id instead (equal on most hosts); a guess after any other failure could put another
    // tenant's pod on this NPU, so it is left out instead.
    int phy;
    rc = untilReady(out, () -> dcmi.dcmi_get_device_phyid_from_logicid(logic, out));
    if (rc == DcmiReturn.SUCCESS) {
      phy = out.getInt(0);
    } else if (rc == DcmiReturn.NOT_SUPPORTED) {
      phy = logic;
    } else {
      return leftOut(observer, repeat, npu + " (logic id " + logic + ")", "dcmi_get_device_phyid_from_logicid", rc,
          ", and without its physical id it cannot be attributed to the pod that holds it");
    }

    // The model and the id label every series of the NPU: a transient failure must not name it otherwise until the
    // next restart (and churn every series then), so it leaves the NPU out to be tried again instead. Only a
    // driver without the call gets a stand-in, the same at every start.
    String function = "dcmi_get_device_chip_info_v2";
    rc = untilReady(out, () -> dcmi.dcmi_get_device_chip_info_v2(card, device, out));
    if (DcmiReturn.permanent(rc)) {
      function = "dcmi_get_device_chip_info"; // v1: the same fields, without npu_name
      rc = untilReady(out, () -> dcmi.dcmi_get_device_chip_info(card, device, out));
    }
    String model;
    if (rc == DcmiReturn.SUCCESS) {
      model = decode(out, DcmiLayout.CHIP_TYPE) + decode(out, DcmiLayout.CHIP_NAME);
    } else if (DcmiReturn.permanent(rc)) {
      model = "Ascend NPU";
    } else {
      return leftOut(observer, repeat, npu, function, rc, ", and without it the NPU's model is unknown");
    }
    // npu-exporter names an NPU by its VDie id; only a driver without it gets the NDie id, which has the same form.
    Die die = dieId(dcmi, card, device, out, DcmiLayout.VDIE);
    if (DcmiReturn.permanent(die.rc())) {
      die = dieId(dcmi, card, device, out, DcmiLayout.NDIE);
    }
    String uuid;
    if (die.rc() == DcmiReturn.SUCCESS) {
      uuid = die.id();
    } else if (DcmiReturn.permanent(die.rc())) {
      uuid = "ascend-phy-" + phy;
    } else {
      return leftOut(observer, repeat, npu, "dcmi_get_device_die_v2", die.rc(),
          ", and without its die id the NPU has no stable name");
    }
    out.clear();
    String busId = "";
    if (dcmi.dcmi_get_device_pcie_info_v2(card, device, out) == DcmiReturn.SUCCESS) {
      busId = String.format(Locale.ROOT, "%04X:%02X:%02X.%X", out.getInt(DcmiLayout.PCIE_DOMAIN),
          out.getInt(DcmiLayout.PCIE_BUS), out.getInt(DcmiLayout.PCIE_DEVICE), out.getInt(DcmiLayout.PCIE_FUNCTION));
    }
    DeviceIdentity identity = new DeviceIdentity(phy, uuid, model, Vendor.HUAWEI);
    return new DcmiDeviceReader(dcmi, card, device, identity, List.of("", version, "", busId, ""), observer);
  }

  /** Counts (once) and logs why an NPU is left out of this enumeration; it is tried again later. Returns null. */
  private static DcmiDeviceReader leftOut(NativeCallObserver observer, boolean repeat, String npu, String function,
      int rc, String consequence) {
    if (!repeat) {
      observer.failed(DcmiCalls.BACKEND, function, rc, DcmiReturn.name(rc));
    }
    LOG.log(repeat ? Level.FINE : Level.WARNING, npu + " is left out: " + function + " returned "
        + DcmiReturn.name(rc) + consequence);
    return null;
  }

  /**
   * Makes an enumeration call, again for a while when the driver says it is not ready (an exporter started right
   * after a reboot or a reset): the NPUs are enumerated once, so a give-up would leave an NPU out, or misnamed,
   * until a restart. {@code out}, the call's output buffer, is cleared before each attempt.
   */
  private static int untilReady(Memory out, java.util.function.IntSupplier call) {
    int rc = DcmiReturn.NOT_READY;
    for (int attempt = 0; attempt < NOT_READY_ATTEMPTS && rc == DcmiReturn.NOT_READY; attempt++) {
      if (attempt > 0) {
        try {
          Thread.sleep(NOT_READY_BACKOFF_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      out.clear(); // nothing a failed attempt left behind can be read as an answer
      rc = call.getAsInt();
    }
    return rc;
  }

  /**
   * The die id as npu-exporter prints it: five 32-bit words in hex, joined by dashes; no id, with the code saying
   * why, when unavailable.
   */
  private record Die(int rc, String id) {}

  private static Die dieId(DcmiLibrary dcmi, int card, int device, Memory out, int type) {
    int rc = untilReady(out, () -> dcmi.dcmi_get_device_die_v2(card, device, type, out));
    if (rc != DcmiReturn.SUCCESS) {
      return new Die(rc, null);
    }
    StringBuilder id = new StringBuilder(44);
    for (int i = 0; i < DcmiLayout.DIE_WORDS; i++) {
      if (i > 0) {
        id.append('-');
      }
      id.append(String.format(Locale.ROOT, "%08X", out.getInt(4L * i)));
    }
    return new Die(rc, id.toString());
  }

  private static String decode(Memory memory, int offset) {
    return decode(memory.getByteArray(offset, DcmiLayout.CHIP_NAME_LENGTH), 0, DcmiLayout.CHIP_NAME_LENGTH);
  }

  private static String decode(byte[] bytes, int offset, int max) {
    int end = offset;
    while (end < offset + max && end < bytes.length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, offset, end - offset, StandardCharsets.UTF_8).trim();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    int n = npus.readers().size();
    int leftOut = npus.leftOut();
    return "Huawei Ascend DCMI " + version + ", " + n + (n == 1 ? " NPU" : " NPUs")
        + (leftOut > 0 ? " (" + leftOut + " more left out: see the warnings above)" : "");
  }

  @Override
  public int devicesLeftOut() {
    return npus.leftOut();
  }

  @Override
  public List<DeviceReader> devices() {
    return List.copyOf(npus.readers());
  }

  @Override
  public List<DeviceReader> reopenLeftOut() {
    return List.copyOf(npus.retryLeftOut());
  }

  /** DCMI has no shutdown call; nothing else is held. */
  @Override
  public void close() {}
}
