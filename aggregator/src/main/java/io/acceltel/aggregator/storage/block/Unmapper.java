package io.acceltel.aggregator.storage.block;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Frees a file mapping now rather than when the garbage collector finds its buffer unreachable: a block file that
 * retention deleted keeps its disk space for as long as it stays mapped, and on a large, quiet heap the old
 * generation may go uncollected for days. Uses {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported, as
 * Lucene's MMapDirectory does); where it is missing, the mapping is left to the collector, said once.
 *
 * <p>The caller guarantees that nothing reads the buffers any more: an access after the unmap crashes the JVM.
 */
final class Unmapper {
  private static final Logger LOG = Logger.getLogger(Unmapper.class.getName());
  private static final Object UNSAFE;
  private static final Method INVOKE_CLEANER;

  static {
    Object unsafe = null;
    Method invokeCleaner = null;
    try {
      Class<?> type = Class.forName("sun.misc.Unsafe");
      Field field = type.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      unsafe = field.get(null);
      invokeCleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(Level.INFO, "this JVM cannot unmap files explicitly (" + e + "); the disk space of block files "
          + "that retention deletes is freed when the garbage collector releases their mappings");
    }
    UNSAFE = unsafe;
    INVOKE_CLEANER = invokeCleaner;
  }

  private Unmapper() {}

  /** Unmaps every buffer; false when this JVM cannot, and the collector will. */
  static boolean unmap(ByteBuffer[] buffers) {
    if (INVOKE_CLEANER == null) {
      return false;
    }
    try {
      for (ByteBuffer buffer : buffers) {
        INVOKE_CLEANER.invoke(UNSAFE, buffer);
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(Level.WARNING, "unmapping a block file failed; the collector will free it", e);
      return false;
    }
  }
}
