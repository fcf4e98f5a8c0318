package io.flowstate.bench;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Building blocks of the scenarios: connect and join many clients with bounded concurrency, give
 * each writer a shape, and drive writers open-loop at a fixed total rate (ops are scheduled by
 * the clock, not by the previous answer, so a slow server shows as latency, not as less load).
 * Every op moves the writer's own shape; committed heads per room are tracked from the answers.
 */
public final class Workload {
  private static final AtomicLong RUN = new AtomicLong(System.currentTimeMillis() % 100_000_000L);

  /** A writing client in one room. */
  public record Writer(WsClient client, String room, String shape, AtomicLong seq) {
    Writer(WsClient client, String room) {
      this(client, room, "s-" + client.user(), new AtomicLong());
    }
  }

  public final Map<String, AtomicLong> heads = new ConcurrentHashMap<>();
  private final Bench bench;
  private final String prefix;

  public Workload(Bench bench, String scenario) {
    this.bench = bench;
    this.prefix = scenario.replace("-", "") + RUN.incrementAndGet();
  }

  public String room(int i) {
    return prefix + "-r" + i;
  }

  /** Connects {@code n} clients, client i to gateway {@code gateway.apply(i)}. */
  public List<WsClient> connect(int n, IntFunction<String> gateway, Counters counters, LatencyStats latency) {
    return Bench.await(bench.bounded(n, 200, i -> new WsClient(bench.connector, prefix + "c" + i, counters, latency)
        .connect(gateway.apply(i))), Duration.ofMinutes(10));
  }

  /** Joins client i to {@code room.apply(i)}. */
  public void join(List<WsClient> clients, IntFunction<String> room) {
    Bench.await(bench.bounded(clients.size(), 200, i -> clients.get(i).join(room.apply(i))), Duration.ofMinutes(10));
  }

  /** Creates each writer's shape (answered before the measured load starts). */
  public void createShapes(List<Writer> writers) {
    Bench.await(bench.bounded(writers.size(), 200, i -> {
      Writer w = writers.get(i);
      return w.client().sendOp(w.room(), w.shape() + "-c", "{\"kind\":\"create_shape\",\"shape\":{\"id\":\""
          + w.shape() + "\",\"type\":\"rect\",\"x\":0,\"y\":0,\"w\":10,\"h\":10}}").onSuccess(v -> head(w.room(), v));
    }), Duration.ofMinutes(5));
  }

  void head(String room, long version) {
    heads.computeIfAbsent(room, r -> new AtomicLong()).accumulateAndGet(version, Math::max);
  }

  /** Sends one move of the writer's shape. */
  public Future<Long> move(Writer w) {
    long n = w.seq().incrementAndGet();
    return w.client().sendOp(w.room(), w.shape() + "-" + n, "{\"kind\":\"move_shape\",\"id\":\"" + w.shape()
        + "\",\"x\":" + (n % 1000) + ",\"y\":" + (n % 777) + "}").onSuccess(v -> head(w.room(), v));
  }

  /**
   * Sends {@code ratePerSecond} ops per second in total, round robin over {@code writers}, for
   * {@code seconds}, from the calling thread (batches every 2 ms). Returns the ops sent.
   */
  public long openLoop(List<Writer> writers, double ratePerSecond, double seconds) {
    long start = System.nanoTime();
    long sent = 0;
    long end = start + (long) (seconds * 1e9);
    int next = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        return sent;
      }
      long due = (long) ((now - start) / 1e9 * ratePerSecond);
      while (sent < due) {
        move(writers.get(next));
        next = (next + 1) % writers.size();
        sent++;
      }
      Bench.sleep(2);
    }
  }

  /** Waits until no op is in flight (or the timeout passed); true when everything was answered. */
  public static boolean drain(List<WsClient> clients, Duration timeout) {
    return Bench.waitUntil(() -> clients.stream().allMatch(c -> c.inFlight() == 0), timeout);
  }

  /** Loss and order totals over the clients' trackers, against the committed heads. */
  public record Delivery(long lost, long duplicates, long outOfOrder) {
  }

  public Delivery delivery(List<WsClient> clients) {
    long lost = 0;
    long dup = 0;
    long ooo = 0;
    for (WsClient c : clients) {
      for (Map.Entry<String, DeliveryTracker> e : c.trackers().entrySet()) {
        AtomicLong head = heads.get(e.getKey());
        lost += e.getValue().lost(head == null ? e.getValue().last() : head.get());
        dup += e.getValue().duplicates();
        ooo += e.getValue().outOfOrder();
      }
    }
    return new Delivery(lost, dup, ooo);
  }

  public void closeAll(List<WsClient> clients) {
    Bench.await(bench.bounded(clients.size(), 500, i -> clients.get(i).close().recover(e -> Future.succeededFuture())),
        Duration.ofMinutes(2));
  }

  /** Adds the latency percentiles (ms) of a finished run. */
  public static void latencyRows(Report report, String scenario, LatencyStats.Interval t, String p50Baseline,
      String p50Target, Boolean p50Met, String p99Target, Boolean p99Met) {
    report.add(scenario, "op→own event p50", t.p50() / 1000.0, "ms", p50Baseline, p50Target, p50Met);
    report.add(scenario, "op→own event p90", t.p90() / 1000.0, "ms");
    report.add(scenario, "op→own event p99", t.p99() / 1000.0, "ms",
        p50Baseline == null ? null : p50Baseline.replace("p50", "p99"), p99Target, p99Met);
    report.add(scenario, "op→own event p99.9", t.p999() / 1000.0, "ms");
    report.add(scenario, "op→own event max", t.max() / 1000.0, "ms");
  }
}
