package io.acceltel.exporter.device;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

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
    // Every function of the binding, opened once (they are package-private interfaces of their backends); a call
    // is then one lookup in a map that never changes.
    Map<Method, Binding> bindings = new HashMap<>();
    for (Method method : type.getMethods()) {
      method.setAccessible(true);
      bindings.put(method, new Binding(method));
    }
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
      Binding binding = bindings.get(method);
      if (binding == null) { // Object's methods: the wrapper's own
        return switch (method.getName()) {
          case "equals" -> self == args[0];
          case "hashCode" -> System.identityHashCode(self);
          default -> type.getSimpleName() + " answering " + code + " for missing functions";
        };
      }
      if (binding.missing) {
        return code;
      }
      try {
        return binding.method.invoke(library, args);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof UnsatisfiedLinkError && method.getReturnType() == int.class) {
          // JNA does not remember a failed lookup: without this every call would repeat the failing dlsym.
          binding.missing = true;
          return code;
        }
        throw e.getCause();
      }
    }));
  }

  /** One function of the binding, and whether the library turned out to lack it. */
  private static final class Binding {
    final Method method;
    volatile boolean missing;

    Binding(Method method) {
      this.method = method;
    }
  }
}
