package io.acceltel.exporter.dcmi;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Path;

/**
 * The control functions of the C test double of libdcmi.so ({@code src/test/native/dcmi_double.c}), loaded from
 * the same file the backend loads, so both see one in-memory model of the NPUs.
 */
public interface DcmiDouble extends Library {
  Path PATH = Path.of(System.getProperty("acceltel.test.native", "target/native"), "libdcmi_double.so");
  DcmiDouble INSTANCE = Native.load(PATH.toString(), DcmiDouble.class);
  /** For setReturn: every NPU, and the global functions. */
  int ANY = -1;
  int ALWAYS = -1;

  void dcmiDouble_reset(int cards, int devicesPerCard);

  int dcmiDouble_setInt(String key, int logic, long value);

  int dcmiDouble_setString(String key, int logic, String value);

  void dcmiDouble_setReturn(String function, int logic, int rc, int times);

  void dcmiDouble_setErrorCodes(int logic, int count, int c0, int c1, int c2);

  void dcmiDouble_setLost(int logic, int lost);

  long dcmiDouble_calls(String function);

  long dcmiDouble_initCount();

  long dcmiDouble_sizeof(String struct);

  long dcmiDouble_offsetof(String struct, String field);
}
