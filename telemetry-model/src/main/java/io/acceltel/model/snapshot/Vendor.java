package io.acceltel.model.snapshot;

import java.util.Locale;

/** The accelerator's maker, exposed as the {@code vendor} label. */
public enum Vendor {
  NVIDIA,
  HUAWEI;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
