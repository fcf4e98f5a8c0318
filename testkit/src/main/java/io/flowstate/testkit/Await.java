package io.flowstate.testkit;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Blocks the test thread until a condition holds, re-checking it on Vert.x timer ticks up to a
 * deadline, instead of fixed sleeps. The condition runs on the calling thread, so it may block;
 * calling from a Vert.x thread is refused because it would stall the event loop.
 */
public final class Await {
  private static final long POLL_MILLIS = 10;

  private Await() {
  }

  /**
   * Returns as soon as {@code condition} is true; an exception thrown by it propagates.
   *
   * @throws AssertionError naming {@code description} when the deadline passes first
   */
  public static void until(Vertx vertx, BooleanSupplier condition, Duration timeout,
      String description) {
    Blocking.requireTestThread("wait until " + description);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + description);
      }
      tick(vertx, Math.max(1, Math.min(POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
    }
  }

  private static void tick(Vertx vertx, long delayMillis) {
    Promise<Void> fired = Promise.promise();
    vertx.setTimer(delayMillis, id -> fired.complete());
    Blocking.get(fired.future(), Duration.ofMillis(delayMillis + 5_000),
        "see a Vert.x timer of " + delayMillis + " ms fire (is the Vert.x instance closed?)");
  }
}
