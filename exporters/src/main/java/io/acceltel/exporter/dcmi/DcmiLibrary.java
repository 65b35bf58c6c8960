package io.acceltel.exporter.dcmi;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * The JNA binding of the part of Huawei's {@code libdcmi.so} (Ascend DCMI) that acceltel calls. Every function
 * returns an {@code int}: 0 on success, a negative {@link DcmiReturn} code otherwise; outputs are valid only on 0.
 *
 * <p>Per-device calls take {@code (card_id, device_id)}, as found by enumeration (card list, devices per card).
 * Out-parameters and structs are {@link Pointer}s into buffers each reader allocates once ({@link DcmiLayout}
 * holds the struct offsets), so a tick allocates no native memory. A symbol the installed driver does not export
 * would fail with {@link UnsatisfiedLinkError} on its first call; {@link DcmiBackend} wraps the binding so that it
 * answers -8255 (not supported) instead, as npu-exporter does with its -99998.
 *
 * <pre>{@code
 * DcmiLibrary dcmi = Native.load("libdcmi.so", DcmiLibrary.class);
 * int rc = dcmi.dcmi_get_device_power_info(card, device, out); // out: int, 0.1 W
 * }</pre>
 */
interface DcmiLibrary extends Library {
  int dcmi_init();

  int dcmi_get_dcmi_version(byte[] version, int size);

  int dcmi_get_card_list(Pointer cardNum, Pointer cardList, int listLen);

  /** The older documented name of {@link #dcmi_get_card_list}; drivers export both. */
  int dcmi_get_card_num_list(Pointer cardNum, Pointer cardList, int listLen);

  int dcmi_get_device_num_in_card(int cardId, Pointer deviceNum);

  /** Note the order: the output comes first. */
  int dcmi_get_device_logic_id(Pointer logicId, int cardId, int deviceId);

  int dcmi_get_device_phyid_from_logicid(int logicId, Pointer phyId);

  int dcmi_get_device_chip_info_v2(int cardId, int deviceId, Pointer chipInfo);

  /** Before v2: the same layout without {@code npu_name} at the end. */
  int dcmi_get_device_chip_info(int cardId, int deviceId, Pointer chipInfo);

  int dcmi_get_device_pcie_info_v2(int cardId, int deviceId, Pointer pcieInfo);

  int dcmi_get_device_die_v2(int cardId, int deviceId, int dieType, Pointer dieId);

  int dcmi_get_device_health(int cardId, int deviceId, Pointer health);

  int dcmi_get_device_errorcode_v2(int cardId, int deviceId, Pointer errorCount, Pointer errorCodes, int listLen);

  int dcmi_get_device_temperature(int cardId, int deviceId, Pointer temperature);

  int dcmi_get_device_power_info(int cardId, int deviceId, Pointer power);

  int dcmi_get_device_frequency(int cardId, int deviceId, int freqType, Pointer frequency);

  int dcmi_get_device_utilization_rate(int cardId, int deviceId, int utilType, Pointer rate);

  int dcmi_get_device_multi_utilization_rate(int cardId, int deviceId, Pointer utilInfo);

  int dcmi_get_device_multi_utilization_rate_period(int cardId, int deviceId, Pointer utilInfo, int period);

  int dcmi_get_device_hbm_info(int cardId, int deviceId, Pointer hbmInfo);

  int dcmi_get_device_ecc_info(int cardId, int deviceId, int deviceType, Pointer eccInfo);

  int dcmi_get_device_network_health(int cardId, int deviceId, Pointer result);
}
