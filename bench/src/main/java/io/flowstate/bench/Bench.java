package io.flowstate.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What every scenario needs: the Vert.x of the generator, the options, the target, the report,
 * the connector (source addresses), a keep-alive HTTP client, a once-a-second progress line and
 * blocking helpers for the orchestrating (non event-loop) thread.
 */
public final class Bench implements AutoCloseable {
  public final Vertx vertx;
  public final BenchOptions options;
  public final Target target;
  public final Report report;
  public final Connector connector;
  public final HttpClient http;
  public final PrintStream out;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-progress");
    t.setDaemon(true);
    return t;
  });
  private ScheduledFuture<?> progress;

  public Bench(Vertx vertx, BenchOptions options, Target target, Report report, PrintStream out) {
    this.vertx = vertx;
    this.options = options;
    this.target = target;
    this.report = report;
    this.out = out;
    List<String> sources = options.has("local-addresses") ? options.list("local-addresses", "")
        : Connector.loopbackSources(options.integer("sources", 8, 8));
    this.connector = new Connector(vertx, sources);
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
        .setConnectTimeout(10_000).setIdleTimeout(60));
  }

  public String gateway(int i) {
    List<String> g = target.gateways();
    return g.get(Math.floorMod(i, g.size()));
  }

  /** Blocks the calling (non event-loop) thread for a future. */
  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("timed out after " + timeout, e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code n} tasks with at most {@code maxInFlight} at once; results in task order. */
  public <T> Future<List<T>> bounded(int n, int maxInFlight, IntFunction<Future<T>> task) {
    Promise<List<T>> done = Promise.promise();
    List<T> results = new ArrayList<>(java.util.Collections.nCopies(n, null));
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    if (n == 0) {
      return Future.succeededFuture(results);
    }
    Runnable[] launch = new Runnable[1];
    launch[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= n) {
        return;
      }
      Future<T> f;
      try {
        f = task.apply(i);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(new IllegalStateException("task " + i + " failed: " + ar.cause().getMessage(), ar.cause()));
          return;
        }
        synchronized (results) {
          results.set(i, ar.result());
        }
        if (finished.incrementAndGet() == n) {
          done.tryComplete(results);
        } else {
          launch[0].run();
        }
      });
    };
    vertx.runOnContext(v -> {
      for (int k = 0; k < Math.min(n, maxInFlight); k++) {
        launch[0].run();
      }
    });
    return done.future();
  }

  /** Prints {@code line} once a second (and closes a latency interval) until {@link #stopProgress}. */
  public void startProgress(String scenario, LatencyStats latency, Supplier<String> line) {
    stopProgress();
    long start = System.nanoTime();
    progress = ticker.scheduleAtFixedRate(() -> {
      LatencyStats.Interval i = latency == null ? null : latency.tick();
      String lat = i == null || i.count() == 0 ? "" : String.format(java.util.Locale.ROOT,
          " | lat p50 %.2f p99 %.2f max %.1f ms", i.p50() / 1000.0, i.p99() / 1000.0, i.max() / 1000.0);
      out.printf(java.util.Locale.ROOT, "[%s %5.1fs] %s%s%n", scenario, (System.nanoTime() - start) / 1e9, line.get(),
          lat);
    }, 1, 1, TimeUnit.SECONDS);
  }

  public void stopProgress() {
    if (progress != null) {
      progress.cancel(false);
      progress = null;
    }
  }

  /** Polls {@code condition} every 50 ms; false when it did not hold within {@code timeout}. */
  public static boolean waitUntil(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      sleep(50);
    }
    return true;
  }

  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GET on a gateway ({@code host:port}); body as a string, failing on a non-2xx status. */
  public Future<String> get(String hostPort, String path) {
    int colon = hostPort.lastIndexOf(':');
    return http.request(HttpMethod.GET, Integer.parseInt(hostPort.substring(colon + 1)),
            hostPort.substring(0, colon), path)
        .compose(req -> req.idleTimeout(15_000).send())
        .compose(resp -> resp.body().compose(b -> resp.statusCode() / 100 == 2 ? Future.succeededFuture(b.toString())
            : Future.failedFuture("HTTP " + resp.statusCode() + " for " + path + ": " + b)));
  }

  /** The /metrics text of {@code hostPort}, or empty when it cannot be read. */
  public String metrics(String hostPort) {
    if (hostPort == null) {
      return "";
    }
    try {
      return await(get(hostPort, "/metrics"), Duration.ofSeconds(15));
    } catch (RuntimeException e) {
      return "";
    }
  }

  @Override
  public void close() {
    stopProgress();
    ticker.shutdownNow();
    await(connector.close(), Duration.ofSeconds(30));
    await(http.close(), Duration.ofSeconds(30));
  }
}
