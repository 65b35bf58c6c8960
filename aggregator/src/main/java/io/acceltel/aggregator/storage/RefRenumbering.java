package io.acceltel.aggregator.storage;

/**
 * Told when the head has removed the series that stopped and renumbered the others (at a checkpoint, while nothing
 * appends), so that state kept by ref, such as streaming aggregation's bindings, follows the series.
 */
@FunctionalInterface
public interface RefRenumbering {
  /** @param newRefOfOld the new ref of each old ref below the old series count; -1 for a removed series */
  void renumbered(int[] newRefOfOld);
}
