package io.acceltel.exporter.dcmi;

/**
 * Sizes, offsets and enum values of the DCMI structs acceltel reads, for LP64 (x86_64 and aarch64, where Ascend
 * hosts usually are), from shared/reference/dcmi.md; a test compares them with the C compiler's.
 */
final class DcmiLayout {
  private DcmiLayout() {}

  /** {@code struct dcmi_chip_info_v2}: three 32-byte strings, aicore_cnt, npu_name. */
  static final int CHIP_INFO_V2_SIZE = 132;
  static final int CHIP_TYPE = 0;
  static final int CHIP_NAME = 32;
  static final int CHIP_NAME_LENGTH = 32;

  /** {@code struct dcmi_pcie_info_all}. */
  static final int PCIE_INFO_SIZE = 64;
  static final int PCIE_DOMAIN = 16;
  static final int PCIE_BUS = 20;
  static final int PCIE_DEVICE = 24;
  static final int PCIE_FUNCTION = 28;

  /** {@code struct dcmi_die_id}: five unsigned ints. */
  static final int DIE_ID_SIZE = 20;
  static final int DIE_WORDS = 5;
  /** {@code enum dcmi_die_type}. */
  static final int NDIE = 0;
  static final int VDIE = 1;

  /** {@code struct dcmi_hbm_info}: sizes in MB, 8-byte aligned. */
  static final int HBM_INFO_SIZE = 32;
  static final int HBM_MEMORY_SIZE = 0;
  static final int HBM_MEMORY_USAGE = 16;
  static final int HBM_TEMP = 24;

  /** {@code struct dcmi_multi_utilization_info}: percentages. */
  static final int MULTI_UTIL_SIZE = 48;
  static final int MULTI_AIC = 0;
  static final int MULTI_AIV = 4;
  static final int MULTI_AICORE = 8;
  static final int MULTI_NPU = 12;

  /** {@code struct dcmi_ecc_info}. */
  static final int ECC_INFO_SIZE = 36;
  static final int ECC_ENABLE_FLAG = 0;
  static final int ECC_SINGLE_BIT = 4;
  static final int ECC_DOUBLE_BIT = 8;
  static final int ECC_TOTAL_SINGLE_BIT = 12;
  static final int ECC_TOTAL_DOUBLE_BIT = 16;
  /** {@code enum dcmi_device_type} value for HBM. */
  static final int ECC_DEVICE_HBM = 2;

  /** {@code enum dcmi_freq_type}. */
  static final int FREQ_HBM = 6;
  static final int FREQ_AICORE_CURRENT = 7;
  static final int FREQ_AICORE_MAX = 9;

  /** Utilization types of {@code dcmi_get_device_utilization_rate}. */
  static final int UTIL_AICORE = 2;
  static final int UTIL_HBM = 6;
  static final int UTIL_VECTOR = 12;
  static final int UTIL_OVERALL = 13;

  /** Capacity of the error code list, as npu-exporter passes it. */
  static final int ERROR_CODE_LIST = 128;
  /** Cards and devices per card DCMI reports at most. */
  static final int MAX_CARDS = 64;
  static final int MAX_DEVICES_PER_CARD = 4;
  /** dcmi_get_device_temperature's value when the sensor could not be read. */
  static final int TEMPERATURE_FAILED = -275;
  /** The largest buffer any of the structs above needs. */
  static final int BUFFER = ERROR_CODE_LIST * 4;
}
