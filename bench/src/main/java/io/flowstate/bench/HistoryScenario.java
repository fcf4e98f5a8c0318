package io.flowstate.bench;

import io.flowstate.sequencer.store.SnapshotWriter;
import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.store.Database;
import io.flowstate.shared.store.OpLog;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Random;

/**
 * {@code history}: a room of N ops (seeded straight into PostgreSQL, 5,000 shapes, snapshots
 * every 1,000 ops written by the sequencer's own {@link SnapshotWriter}), then GET
 * /v1/rooms/{id}/state?version=V at random versions over keep-alive HTTP. Target: < 500 ms at
 * 1,000,000 ops.
 */
public final class HistoryScenario implements Scenario {
  private static final int SHAPES = 5_000;

  @Override
  public String name() {
    return "history";
  }

  @Override
  public void run(Bench b) {
    if (b.target.pgUrl() == null) {
      b.out.println("history: skipped (no PostgreSQL URL to seed the room; give --pg-url)");
      return;
    }
    int ops = b.options.integer("history-ops", 100_000, 1_000_000);
    int queries = b.options.integer("history-queries", 60, 200);
    String room = "history" + System.currentTimeMillis();
    Pool pool = Database.pool(b.vertx, b.target.pgUrl(), 2);
    long t0 = System.nanoTime();
    Bench.await(pool.preparedQuery("INSERT INTO ops (room, version, author, author_name, client_op_id, op, inverse,"
        + " committed_at) SELECT $1, g, 'seed', 'Seed', 'seed-' || g,"
        + " CASE WHEN g <= $2 THEN jsonb_build_object('kind', 'create_shape', 'shape',"
        + "   jsonb_build_object('id', 's' || g, 'type', 'rect', 'x', g, 'y', 0, 'w', 10, 'h', 10))"
        + " ELSE jsonb_build_object('kind', 'move_shape', 'id', 's' || (g % $2 + 1), 'x', g, 'y', g) END,"
        + " '{\"kind\":\"delete_shape\",\"id\":\"x\"}'::jsonb, now() FROM generate_series(1, $3) AS g")
        .execute(Tuple.of(room, SHAPES, ops)), Duration.ofMinutes(30));
    Bench.await(pool.preparedQuery("INSERT INTO rooms (id, head) VALUES ($1, $2)").execute(Tuple.of(room, (long) ops)),
        Duration.ofMinutes(1));
    double seedSecs = (System.nanoTime() - t0) / 1e9;
    Reducer reducer = new Reducer(CanvasLimits.replay());
    SnapshotWriter writer = new SnapshotWriter(b.vertx, pool, new OpLog(b.vertx, pool), reducer);
    long t1 = System.nanoTime();
    for (long v = 1_000; v <= ops; v += 1_000) {
      Bench.await(writer.write(room, v), Duration.ofMinutes(5));
    }
    double snapSecs = (System.nanoTime() - t1) / 1e9;
    b.out.printf(java.util.Locale.ROOT, "history: seeded %,d ops in %.1f s, %,d snapshots in %.1f s%n", ops, seedSecs,
        ops / 1_000, snapSecs);
    Bench.await(pool.close(), Duration.ofSeconds(30));
    LatencyStats latency = new LatencyStats();
    Random random = new Random(7);
    int timeouts = 0;
    String gateway = b.gateway(0);
    b.startProgress(name(), latency, () -> "queries " + latency.timeline().size());
    CpuWindow cpu = new CpuWindow(b.target);
    for (int i = 0; i < queries; i++) {
      long version = 1 + random.nextInt(ops);
      long start = System.nanoTime();
      try {
        String body = Bench.await(b.get(gateway, "/v1/rooms/" + room + "/state?version=" + version),
            Duration.ofSeconds(20));
        if (!body.contains("\"hash\"")) {
          throw new IllegalStateException("no hash in the answer");
        }
        latency.recordNanos(System.nanoTime() - start);
      } catch (RuntimeException e) {
        timeouts++;
        b.out.println("history: request at version " + version + " failed: " + e.getMessage());
      }
    }
    b.stopProgress();
    latency.tick();
    cpu.report(b.report, name());
    LatencyStats.Interval t = latency.total();
    boolean full = ops >= 1_000_000;
    b.report.add(name(), "room size", ops, "ops");
    b.report.add(name(), "state at random version p50", t.p50() / 1000.0, "ms");
    b.report.add(name(), "state at random version p99", t.p99() / 1000.0, "ms");
    b.report.add(name(), "state at random version max", t.max() / 1000.0, "ms", null,
        "< 500 ms" + (full ? "" : " (at 1M ops)"), full ? t.max() < 500_000 : null);
    b.report.add(name(), "failed or timed-out requests", timeouts, "", null, "0", timeouts == 0);
    b.report.add(name(), "snapshot writing (seed)", snapSecs * 1000 / Math.max(1, ops / 1000), "ms/snapshot");
  }
}
