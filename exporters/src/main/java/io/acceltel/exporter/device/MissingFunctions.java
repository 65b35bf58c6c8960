package io.acceltel.exporter.device;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
    // The proxy hands in the same Method objects on every call: each is opened once, not per call.
    Map<Method, Method> accessible = new ConcurrentHashMap<>();
    // JNA does not remember a failed lookup: without this every call would repeat the failing dlsym.
    Set<Method> missing = ConcurrentHashMap.newKeySet();
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> self == args[0];
          case "hashCode" -> System.identityHashCode(self);
          default -> type.getSimpleName() + " answering " + code + " for missing functions";
        };
      }
      if (missing.contains(method)) {
        return code;
      }
      try {
        return accessible.computeIfAbsent(method, MissingFunctions::opened).invoke(library, args);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof UnsatisfiedLinkError && method.getReturnType() == int.class) {
          missing.add(method);
          return code;
        }
        throw e.getCause();
      }
    }));
  }

  /** The bindings are package-private interfaces of their backends, so their methods need opening once. */
  private static Method opened(Method method) {
    method.setAccessible(true);
    return method;
  }
}
