package io.acceltel.exporter.exposition;

import io.acceltel.model.docs.GeneratedDoc;

/** Renders {@code docs/compat-dcgm.md}: which dcgm-exporter names {@code --names=dcgm} serves, and from what. */
public final class DcgmCoverage {
  private DcgmCoverage() {}

  public static GeneratedDoc document() {
    StringBuilder out = new StringBuilder();
    out.append("# dcgm-exporter compatibility names (`--names=dcgm`)\n\n")
        .append("Generated from `DcgmNameView.FIELDS`; do not edit by hand. Regenerate with ")
        .append("`mvn test -D").append(GeneratedDoc.UPDATE_PROPERTY).append("=true`.\n\n")
        .append("With `--names=dcgm` the exporter serves the same readings under NVIDIA dcgm-exporter's metric ")
        .append("names and labels, so dashboards and alerts built for dcgm-exporter work unchanged. Each series ")
        .append("carries `gpu`, `UUID`, `pci_bus_id`, `device` (`nvidia<index>`), `modelName`, `Hostname` and ")
        .append("`DCGM_FI_DRIVER_VERSION`, as dcgm-exporter up to 4.8 emits them. Values use DCGM's units.\n\n")
        .append("Differences: dcgm-exporter's counters are served as untyped families (`# TYPE … untyped`), ")
        .append("because client_java appends `_total` to counters and the DCGM names have none; PromQL treats them ")
        .append("the same. The `DCGM_FI_PROF_*` fields need Hopper or newer (NVML GPM) and are absent on older ")
        .append("GPUs, where dcgm-exporter needs DCGM's profiling module. `DCGM_FI_DEV_XID_ERRORS` is the last XID ")
        .append("seen; the native `accelerator_xid_errors_total{xid}` counts every XID. The `*_VIOLATION` ")
        .append("counters are in nanoseconds, as DCGM serves NVML's violation time (`dcgm_fields.h`; older ")
        .append("dcgm-exporter CSVs said usec, corrected in its PR #589): divide their rate by 1e9 for the fraction ")
        .append("of time throttled. A MIG-split GPU is served as dcgm-exporter serves it: one series per GPU ")
        .append("instance (`GPU_I_ID`, `GPU_I_PROFILE`, that instance's pod when its compute instances agree on ")
        .append("one) and none for the whole GPU; `DCGM_FI_DEV_FB_*` come from the instance's own memory, the other ")
        .append("GPU-wide fields are repeated, and the `DCGM_FI_PROF_*` fields are left out there, since acceltel ")
        .append("profiles the whole GPU, not the instance. The power limit is served as ")
        .append("`DCGM_FI_DEV_ENFORCED_POWER_LIMIT` (the limit the driver enforces after every limiter); ")
        .append("`DCGM_FI_DEV_POWER_MGMT_LIMIT`, the management limit alone, is not read.\n\n")
        .append("| DCGM name | type | unit | derived from |\n|---|---|---|---|\n");
    for (DcgmField f : DcgmNameView.FIELDS) {
      out.append("| `").append(f.name()).append("` | ").append(f.type().lowerCase()).append(" | ")
          .append(f.unitNote().isEmpty() ? "as catalog" : f.unitNote()).append(" | `")
          .append(f.source().name()).append("` |\n");
    }
    return new GeneratedDoc("docs/compat-dcgm.md", out.toString());
  }
}
