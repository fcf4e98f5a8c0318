package io.flowstate.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.sequencer.store.OpStore;
import io.flowstate.sequencer.store.SnapshotWriter;
import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.canvas.CanvasOp;
import io.flowstate.shared.canvas.CanvasState;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.protocol.Author;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.protocol.OpEvent;
import io.flowstate.shared.store.Database;
import io.flowstate.shared.store.Migrations;
import io.flowstate.shared.store.OpLog;
import io.flowstate.testkit.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("State at a version from snapshot + tail")
class SnapshotReplayPropertyTest {
  private static final int OPS = 250;
  private static Vertx vertx;
  private static Pool pool;
  private final Reducer reducer = new Reducer(CanvasLimits.defaults());

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    pool = Database.pool(vertx, TestInfra.pgUrl(), 4);
    block(Migrations.apply(vertx, pool));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T block(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1L, 42L, 20261123L})
  @DisplayName("equals a full replay at every version, with the same hash, for random ops with batches, "
      + "deletes and re-creates")
  void snapshotPlusTailEqualsFullReplay(long seed) throws Exception {
    Random random = new Random(seed);
    String room = "prop-" + seed + "-" + System.nanoTime();
    CanvasState state = CanvasState.empty();
    List<String> hashes = new ArrayList<>();
    hashes.add(state.hash());
    List<OpStore.CommitRow> rows = new ArrayList<>();
    while (rows.size() < OPS) {
      CanvasOp op = reducer.parse(randomOp(random, state));
      CanvasOp inverse;
      try {
        inverse = reducer.applyInPlace(state, op);
      } catch (FlowStateException invalid) {
        continue;
      }
      long version = rows.size() + 1;
      OpEvent event = new OpEvent(room, version, "op-" + version, new Author("u", "U"), op.toJson(), Instant.now(),
          null, null);
      rows.add(new OpStore.CommitRow(event, Json.write(op.toJson()), Json.write(inverse.toJson())));
      hashes.add(state.hash());
    }
    OpStore store = new OpStore(pool);
    for (int from = 0; from < rows.size(); from += 40) {
      block(store.commit(rows.subList(from, Math.min(rows.size(), from + 40))));
    }
    OpLog log = new OpLog(vertx, pool);
    SnapshotWriter writer = new SnapshotWriter(vertx, pool, log, reducer);
    TreeSet<Long> snapshotAt = new TreeSet<>();
    while (snapshotAt.size() < 12) {
      snapshotAt.add(1L + random.nextInt(OPS));
    }
    for (long v : snapshotAt) {
      block(writer.write(room, v));
    }
    for (long v = 1; v <= OPS; v++) {
      String viaSnapshot = block(log.stateAt(room, v, reducer)).state().hash();
      String full = block(log.fullReplay(room, v, reducer)).state().hash();
      assertThat(viaSnapshot).as("seed %d, version %d via snapshot", seed, v).isEqualTo(hashes.get((int) v));
      assertThat(full).as("seed %d, version %d full replay", seed, v).isEqualTo(hashes.get((int) v));
    }
    OpLog.Snapshot latest = block(log.latestSnapshot(room, OPS));
    assertThat(latest.version()).isEqualTo(snapshotAt.last());
    assertThat(latest.storedHash()).isEqualTo(hashes.get((int) latest.version()));
  }

  private ObjectNode randomOp(Random random, CanvasState state) {
    if (random.nextInt(6) == 0) {
      ObjectNode batch = Json.object().put("kind", "batch");
      ArrayNode ops = batch.putArray("ops");
      CanvasState scratch = state.copy();
      for (int i = 0, n = 2 + random.nextInt(3); i < n; i++) {
        ObjectNode op = singleOp(random, scratch);
        try {
          reducer.applyInPlace(scratch, reducer.parse(op));
          ops.add(op);
        } catch (FlowStateException ignored) {
          // keep only ops valid in sequence
        }
      }
      return ops.isEmpty() ? singleOp(random, state) : batch;
    }
    return singleOp(random, state);
  }

  private static ObjectNode singleOp(Random random, CanvasState state) {
    String id = "s" + random.nextInt(12);
    if (!state.contains(id)) {
      ObjectNode shape = Json.object().put("id", id).put("type", random.nextBoolean() ? "rect" : "text")
          .put("x", random.nextInt(500)).put("y", random.nextDouble() * 100);
      if (random.nextBoolean()) {
        shape.put("text", "t" + random.nextInt(99));
      }
      return (ObjectNode) Json.object().put("kind", "create_shape").set("shape", shape);
    }
    switch (random.nextInt(4)) {
      case 0:
        return Json.object().put("kind", "delete_shape").put("id", id);
      case 1:
        return Json.object().put("kind", "move_shape").put("id", id).put("x", random.nextInt(900))
            .put("y", random.nextInt(900) / 4.0);
      case 2: {
        ObjectNode op = Json.object().put("kind", "update_shape").put("id", id);
        ObjectNode set = op.putObject("set");
        if (random.nextBoolean()) {
          set.putNull("text");
        } else {
          set.putObject("style").put("fill", "#" + Integer.toHexString(0x100000 + random.nextInt(0xeffff)));
        }
        return op;
      }
      default:
        return Json.object().put("kind", "resize_shape").put("id", id).put("w", random.nextInt(50))
            .put("h", random.nextInt(50));
    }
  }
}
