package io.flowstate.shared.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;

/**
 * The wait of a graceful stop: completes once {@code settled} holds or the deadline passes,
 * checking on a Vert.x timer (never blocking the event loop). Used by both services' drains.
 */
public final class Drain {
  private static final long CHECK_EVERY_MS = 20;

  private Drain() {
  }

  public static Future<Void> until(Vertx vertx, BooleanSupplier settled, long deadlineMillis) {
    Promise<Void> done = Promise.promise();
    vertx.setPeriodic(0, CHECK_EVERY_MS, t -> {
      if (settled.getAsBoolean() || System.currentTimeMillis() >= deadlineMillis) {
        vertx.cancelTimer(t);
        done.tryComplete();
      }
    });
    return done.future();
  }
}
