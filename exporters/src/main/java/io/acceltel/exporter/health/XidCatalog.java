package io.acceltel.exporter.health;

import java.util.Map;
import java.util.TreeMap;

/**
 * What NVIDIA says to do about each XID, by the immediate action of its XID catalog for Ampere and newer
 * ("resolution bucket": IGNORE, RESTART_APP, RESET_GPU, RESTART_BM, RESTART_VM, CHECK_MECHANICALS), from
 * shared/reference/alerting.md §6 and the catalog itself (docs.nvidia.com/deploy/xid-errors). Codes the Ampere
 * catalog lists as unused are left out (61 stays: older GPUs report it); so are those whose action is RESTART_APP,
 * which is what an unlisted code gets.
 *
 * <pre>{@code
 * XidCatalog.Entry e = XidCatalog.lookup(79); // REBOOT_NODE, "GPU has fallen off the bus"
 * }</pre>
 */
public final class XidCatalog {
  /** NVIDIA's immediate action, and what it makes the device until it is taken. */
  public enum Action {
    /** Informational or sympathetic: no change of state. */
    IGNORE(null, "none"),
    /** The application hit the error; the device is degraded for a while, then healthy again. */
    RESTART_APP(HealthState.DEGRADED, "restart the application"),
    /**
     * NVIDIA's WORKFLOW_NVLINK5_ERR: how bad it is depends on the decoded error, which NVML does not report. Degraded
     * for a while, like an application error; a fatal one also sets the driver's recovery action, which fails it.
     */
    CHECK_NVLINK5(HealthState.DEGRADED, "check the NVLink error counters and the decoded XID in the kernel log; "
        + "accelerator_recovery_action says whether the GPU needs a reset"),
    /** Failed until the GPU is reset (nvidia-smi -r after stopping its processes). */
    RESET_GPU(HealthState.FAILED, "reset the GPU"),
    /** Failed until the node is rebooted. */
    REBOOT_NODE(HealthState.FAILED, "reboot the node"),
    /** NVIDIA's RESTART_VM (confidential computing): failed until the VM restarts, which restarts the exporter. */
    RESTART_VM(HealthState.FAILED, "restart the VM (on bare metal, reboot the node)"),
    /** NVIDIA's CHECK_MECHANICALS: failed until someone has been at the hardware, which means a power cycle. */
    CHECK_MECHANICALS(HealthState.FAILED, "power the node off and check the GPU's power cables and seating");

    private final HealthState state;
    private final String text;

    Action(HealthState state, String text) {
      this.state = state;
      this.text = text;
    }

    /** The state this action's XIDs put a device in; null for {@link #IGNORE}. */
    public HealthState state() {
      return state;
    }

    /**
     * Whether a GPU that came back from a loss the driver declared has had what this action asks for: a reset, yes;
     * a reboot, a VM restart or a look at the cables, no (those restart the exporter, which forgets the XIDs).
     */
    public boolean doneByAReset() {
      return this == RESET_GPU;
    }

    public String text() {
      return text;
    }
  }

  /** One XID: what it means and what to do. */
  public record Entry(int xid, String meaning, Action action) {}

  private static final Map<Integer, Entry> ENTRIES = new TreeMap<>();

  static {
    add(13, "Graphics engine exception", Action.RESTART_APP);
    add(31, "GPU memory page fault", Action.RESTART_APP);
    add(32, "Invalid or corrupted push buffer stream", Action.RESTART_APP);
    add(37, "Driver firmware error", Action.IGNORE);
    add(38, "Driver firmware error (watchdog timeout)", Action.IGNORE);
    add(43, "GPU stopped processing (the application's channel was reset)", Action.IGNORE);
    add(44, "Graphics engine fault during context switch", Action.IGNORE);
    add(45, "Preemptive cleanup after previous errors", Action.IGNORE);
    add(46, "GPU stopped processing (GPU timeout)", Action.RESET_GPU);
    add(48, "Double-bit ECC error", Action.RESET_GPU);
    add(54, "Auxiliary power is not connected to the GPU board", Action.CHECK_MECHANICALS);
    add(61, "Internal micro-controller breakpoint", Action.IGNORE);
    add(62, "Internal micro-controller halt", Action.RESET_GPU);
    add(63, "Row remapping (page retirement) recorded", Action.IGNORE);
    add(64, "Row remapping (page retirement) failure", Action.RESET_GPU);
    add(66, "Illegal access by the driver", Action.IGNORE);
    add(67, "Illegal access by the driver (verification)", Action.IGNORE);
    add(68, "Video decoder exception", Action.RESTART_APP);
    add(69, "Graphics engine class error", Action.RESTART_APP);
    add(74, "NVLink error", Action.RESET_GPU);
    add(79, "GPU has fallen off the bus", Action.REBOOT_NODE);
    add(92, "High single-bit ECC error rate", Action.IGNORE);
    add(93, "InfoROM wear limit exceeded (non-fatal)", Action.IGNORE);
    add(94, "Contained memory error", Action.RESTART_APP);
    add(95, "Uncontained memory error", Action.RESET_GPU);
    add(109, "Context switch timeout", Action.RESET_GPU);
    add(110, "Security fault", Action.RESET_GPU);
    add(119, "GSP RPC timeout", Action.RESET_GPU);
    add(120, "GSP error", Action.RESET_GPU);
    add(121, "C2C error", Action.IGNORE);
    add(136, "NVLink link training failed", Action.RESET_GPU);
    add(137, "NVLink privilege error", Action.IGNORE);
    add(140, "ECC unrecovered error", Action.RESET_GPU);
    add(141, "CUDA fast path error", Action.IGNORE);
    add(143, "GPU initialization error", Action.RESET_GPU);
    for (int xid = 144; xid <= 150; xid++) {
      add(xid, "NVLink5 sub-unit error", Action.CHECK_NVLINK5);
    }
    add(151, "Key rotation error", Action.RESTART_VM);
    add(106, "SMBPBI test message", Action.IGNORE);
    add(107, "SMBPBI test message (silent)", Action.IGNORE);
    add(152, "DLA SMMU error", Action.IGNORE);
    add(153, "DLA timeout", Action.IGNORE);
    add(154, "GPU recovery action changed (informational)", Action.IGNORE);
    add(155, "NVLink software-defined error", Action.RESET_GPU);
    add(156, "Resource retirement event", Action.RESET_GPU);
    add(157, "Resource retirement failure", Action.IGNORE);
    add(158, "GPU fatal timeout", Action.RESET_GPU);
    add(160, "Channel retirement event", Action.IGNORE);
    add(161, "Channel retirement failure", Action.IGNORE);
    add(171, "Uncorrectable DRAM error", Action.RESET_GPU);
    add(172, "Uncorrectable SRAM error", Action.RESET_GPU);
  }

  private XidCatalog() {}

  private static void add(int xid, String meaning, Action action) {
    ENTRIES.put(xid, new Entry(xid, meaning, action));
  }

  /**
   * The entry of an XID. One NVIDIA's catalog lists with another action, or one it does not list, is treated like
   * an application error: degraded for a while, so an unknown code is seen but does not take a GPU out for good.
   */
  public static Entry lookup(int xid) {
    Entry e = ENTRIES.get(xid);
    return e != null ? e : new Entry(xid, "XID " + xid + " (see NVIDIA's XID catalog)", Action.RESTART_APP);
  }

  /** Every listed XID, by code. */
  public static Map<Integer, Entry> entries() {
    return java.util.Collections.unmodifiableMap(ENTRIES);
  }
}
