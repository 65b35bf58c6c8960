package io.acceltel.aggregator.storage.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PostingsTest {
  @Test
  void setOperations() {
    int[] a = {1, 3, 5, 7};
    int[] b = {3, 4, 7, 9};
    assertThat(Postings.intersect(a, b)).containsExactly(3, 7);
    assertThat(Postings.union(a, b)).containsExactly(1, 3, 4, 5, 7, 9);
    assertThat(Postings.subtract(a, b)).containsExactly(1, 5);
    assertThat(Postings.union(Postings.EMPTY, b)).containsExactly(b);
    assertThat(Postings.intersect(a, Postings.EMPTY)).isEmpty();
  }
}
