package io.flowstate.testkit;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a Vert.x future on the test thread with a deadline. A failed future rethrows its
 * unchecked cause as is and wraps a checked one in an AssertionError; blocking on a Vert.x
 * thread is refused because it would stall an event loop.
 */
final class Blocking {
  private Blocking() {
  }

  static <T> T get(Future<T> future, Duration timeout, String what) {
    requireTestThread(what);
    try {
      return future.toCompletionStage().toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException unchecked) {
        throw unchecked;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new AssertionError("could not " + what + ": " + cause, cause);
    } catch (TimeoutException e) {
      throw new AssertionError("could not " + what + " within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while trying to " + what, e);
    }
  }

  static void requireTestThread(String what) {
    if (Context.isOnVertxThread()) {
      throw new IllegalStateException("cannot " + what + " on " + Thread.currentThread().getName()
          + ": it blocks; call it from the test thread");
    }
  }
}
