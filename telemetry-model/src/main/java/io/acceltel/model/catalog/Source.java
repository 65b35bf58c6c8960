package io.acceltel.model.catalog;

/** Where a reading comes from: a device backend's native API, or the exporter itself. */
public enum Source {
  NVML("NVIDIA NVML"),
  DCMI("Huawei Ascend DCMI"),
  KUBERNETES("Kubernetes (kubelet PodResources, API server)"),
  EXPORTER("acceltel exporter");

  private final String title;

  Source(String title) {
    this.title = title;
  }

  public String title() {
    return title;
  }
}
