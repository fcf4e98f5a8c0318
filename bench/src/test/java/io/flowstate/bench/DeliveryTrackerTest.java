package io.flowstate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DeliveryTracker")
class DeliveryTrackerTest {
  @Test
  @DisplayName("versions 1..n in order: nothing lost, repeated or out of order")
  void inOrder() {
    DeliveryTracker t = new DeliveryTracker(0);
    for (long v = 1; v <= 100; v++) {
      t.accept(v);
    }
    assertThat(t.lost(100)).isZero();
    assertThat(t.duplicates()).isZero();
    assertThat(t.outOfOrder()).isZero();
    assertThat(t.last()).isEqualTo(100);
  }

  @Test
  @DisplayName("an injected gap is counted as lost")
  void gap() {
    DeliveryTracker t = new DeliveryTracker(10);
    t.accept(11);
    t.accept(12);
    t.accept(14); // 13 never arrives
    t.accept(15);
    assertThat(t.lost(15)).isEqualTo(1);
    assertThat(t.gapEvents()).isEqualTo(1);
  }

  @Test
  @DisplayName("an injected duplicate is counted as a duplicate, not as loss")
  void duplicate() {
    DeliveryTracker t = new DeliveryTracker(0);
    t.accept(1);
    t.accept(2);
    t.accept(2);
    t.accept(3);
    assertThat(t.duplicates()).isEqualTo(1);
    assertThat(t.lost(3)).isZero();
  }

  @Test
  @DisplayName("a late version closes its hole and counts as out of order")
  void outOfOrder() {
    DeliveryTracker t = new DeliveryTracker(0);
    t.accept(1);
    t.accept(3);
    t.accept(2);
    assertThat(t.outOfOrder()).isEqualTo(1);
    assertThat(t.duplicates()).isZero();
    assertThat(t.lost(3)).isZero();
  }

  @Test
  @DisplayName("versions never received up to the room's head are lost")
  void tail() {
    DeliveryTracker t = new DeliveryTracker(0);
    t.accept(1);
    assertThat(t.lost(4)).isEqualTo(3);
  }

  @Test
  @DisplayName("a resume from a snapshot moves the start without counting loss")
  void snapshotResume() {
    DeliveryTracker t = new DeliveryTracker(0);
    t.accept(1);
    t.resetTo(500);
    t.accept(501);
    assertThat(t.lost(501)).isZero();
    assertThat(t.last()).isEqualTo(501);
  }

  @Test
  @DisplayName("PromText sums the samples of a metric that match the labels")
  void promText() {
    String text = "# HELP x\njvm_memory_used_bytes{area=\"heap\",id=\"eden\"} 10.0\n"
        + "jvm_memory_used_bytes{area=\"heap\",id=\"old\"} 5.0\njvm_memory_used_bytes{area=\"nonheap\",id=\"m\"} 7.0\n"
        + "jvm_memory_used_bytes_other 99\n";
    assertThat(PromText.sum(text, "jvm_memory_used_bytes", "area=\"heap\"")).isEqualTo(15.0);
    assertThat(PromText.sum(text, "missing")).isNaN();
  }
}
