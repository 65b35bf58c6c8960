package io.acceltel.exporter.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MissingFunctionsTest {
  interface Binding {
    int present(int x);

    int absent();

    String text();
  }

  /** Plays a JNA binding of a library that lacks two of its functions, counting how often one is looked up. */
  static final class PartialLibrary implements Binding {
    final AtomicInteger lookups = new AtomicInteger();

    @Override
    public int present(int x) {
      return x + 1;
    }

    @Override
    public int absent() {
      lookups.incrementAndGet();
      throw new UnsatisfiedLinkError("Error looking up function 'absent'");
    }

    @Override
    public String text() {
      throw new UnsatisfiedLinkError("Error looking up function 'text'");
    }
  }

  @Test
  void aMissingIntFunctionAnswersTheCodeAndIsNotLookedUpAgain() {
    PartialLibrary library = new PartialLibrary();
    Binding binding = MissingFunctions.answering(Binding.class, library, -8255);
    assertThat(binding.present(41)).isEqualTo(42);
    assertThat(binding.absent()).isEqualTo(-8255);
    assertThat(binding.absent()).isEqualTo(-8255);
    assertThat(library.lookups).as("the failed lookup is remembered").hasValue(1);
    assertThatThrownBy(binding::text).as("no code to answer with").isInstanceOf(UnsatisfiedLinkError.class);
  }

  @Test
  void objectMethodsAreTheWrappersOwn() {
    Binding binding = MissingFunctions.answering(Binding.class, new PartialLibrary(), 13);
    assertThat(binding.equals(binding)).isTrue();
    assertThat(binding.hashCode()).isEqualTo(System.identityHashCode(binding));
    assertThat(binding.toString()).contains("Binding");
  }
}
