package io.acceltel.exporter.device;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * A JNA interface binding whose functions the driver does not export answer a return code instead of throwing.
 * JNA binds an interface's function on its first call and throws {@link UnsatisfiedLinkError} when the library
 * lacks it: an older driver, or one that dropped a deprecated call. Each backend maps that to the code its own
 * error policy already treats as "not supported" (NVML's FUNCTION_NOT_FOUND, DCMI's -8255), so a missing function
 * leaves out only its own metrics instead of failing the whole device read, or the start.
 *
 * <pre>{@code
 * NvmlLibrary nvml = MissingFunctions.answering(NvmlLibrary.class, Native.load(name, NvmlLibrary.class), 13);
 * }</pre>
 */
public final class MissingFunctions {
  private MissingFunctions() {}

  /**
   * {@code library}, with every int-returning function the native library lacks answering {@code code}; other
   * return types still throw, since there is no code to answer with.
   */
  public static <T> T answering(Class<T> type, T library, int code) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
      try {
        method.setAccessible(true); // the bindings are package-private interfaces of their backends
        return method.invoke(library, args);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof UnsatisfiedLinkError && method.getReturnType() == int.class) {
          return code;
        }
        throw e.getCause();
      }
    }));
  }
}
