package io.flowstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class AwaitTest {

  @Test
  @DisplayName("until returns once the condition turns true")
  void returnsWhenTrue(Vertx vertx) {
    AtomicBoolean flag = new AtomicBoolean();
    vertx.setTimer(50, id -> flag.set(true));
    Await.until(vertx, flag::get, Duration.ofSeconds(5), "the timer has set the flag");
    assertThat(flag).isTrue();
  }

  @Test
  @DisplayName("until fails with the description when the deadline passes")
  void failsWithDescription(Vertx vertx) {
    long start = System.nanoTime();
    assertThatThrownBy(() -> Await.until(vertx, () -> false, Duration.ofMillis(150), "pigs fly"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("pigs fly");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(
        Duration.ofMillis(150), Duration.ofSeconds(3));
  }

  @Test
  @DisplayName("until refuses to block an event loop")
  void refusesEventLoop(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> ctx.verify(() -> {
      assertThatThrownBy(() -> Await.until(vertx, () -> true, Duration.ofSeconds(1), "x"))
          .isInstanceOf(IllegalStateException.class);
      ctx.completeNow();
    }));
  }
}
