package io.flowstate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowstate.sequencer.store.SnapshotWriter;
import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.store.Database;
import io.flowstate.shared.store.Migrations;
import io.flowstate.shared.store.OpLog;
import io.flowstate.testkit.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measurement, not a unit test (run with -Dflowstate.bench=true): state at arbitrary versions of a
 * 1,000,000-op room whose snapshots are every 1,000 ops, as the sequencer writes them. Prints the
 * timings; asserts only correctness of the hash path.
 */
@EnabledIfSystemProperty(named = "flowstate.bench", matches = "true")
@DisplayName("Time travel in a 1,000,000-op room (measurement)")
class LargeRoomTimeTravelBench {
  private static final int OPS = 1_000_000;
  private static final int SHAPES = 5_000;

  private static <T> T block(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.MINUTES);
  }

  @Test
  @DisplayName("state at random versions of a 1M-op room")
  void stateAtRandomVersions() throws Exception {
    Vertx vertx = Vertx.vertx();
    Pool pool = Database.pool(vertx, TestInfra.pgUrl(), 4);
    block(Migrations.apply(vertx, pool));
    String room = "million";
    long t0 = System.nanoTime();
    block(pool.preparedQuery("INSERT INTO ops (room, version, author, author_name, client_op_id, op, inverse,"
        + " committed_at) SELECT $1, g, 'seed', 'Seed', 'seed-' || g,"
        + " CASE WHEN g <= $2 THEN jsonb_build_object('kind', 'create_shape', 'shape',"
        + "   jsonb_build_object('id', 's' || g, 'type', 'rect', 'x', g, 'y', 0, 'w', 10, 'h', 10))"
        + " ELSE jsonb_build_object('kind', 'move_shape', 'id', 's' || (g % $2 + 1), 'x', g, 'y', g) END,"
        + " '{\"kind\":\"delete_shape\",\"id\":\"x\"}'::jsonb, now() FROM generate_series(1, $3) AS g")
        .execute(Tuple.of(room, SHAPES, OPS)));
    block(pool.preparedQuery("INSERT INTO rooms (id, head) VALUES ($1, $2)").execute(Tuple.of(room, OPS)));
    System.out.printf("seeded %,d ops in %.1f s%n", OPS, (System.nanoTime() - t0) / 1e9);

    Reducer reducer = new Reducer(CanvasLimits.replay());
    OpLog log = new OpLog(vertx, pool);
    SnapshotWriter writer = new SnapshotWriter(vertx, pool, log, reducer);
    long t1 = System.nanoTime();
    for (long v = 1_000; v <= OPS; v += 1_000) {
      block(writer.write(room, v));
    }
    System.out.printf("wrote %,d snapshots (every 1,000 ops, each from the previous one) in %.1f s%n",
        OPS / 1_000, (System.nanoTime() - t1) / 1e9);

    Random random = new Random(7);
    long worst = 0;
    long total = 0;
    int samples = 20;
    for (int i = 0; i < samples; i++) {
      long version = 1 + random.nextInt(OPS);
      long start = System.nanoTime();
      OpLog.VersionedState state = block(log.stateAt(room, version, reducer));
      String hash = state.state().hash();
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertThat(hash).hasSize(64);
      worst = Math.max(worst, ms);
      total += ms;
      System.out.printf("state at version %,d (%,d shapes) with hash: %d ms%n", version, state.state().size(), ms);
    }
    System.out.printf("state at a random version of a %,d-op room: mean %d ms, worst %d ms over %d samples%n",
        OPS, total / samples, worst, samples);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
