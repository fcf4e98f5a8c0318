package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.canvas.CanvasState;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.store.OpLog;
import io.flowstate.testkit.WsTestClient;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Snapshots")
class SnapshotTest extends ClusterTest {
  private static final int SHAPES = 2_000;
  private final Reducer reducer = new Reducer(CanvasLimits.defaults());

  /** Writes ops 1..count straight into the log: SHAPES creates, then moves cycling over the shapes. */
  private void seed(String room, int count) {
    cluster.block(cluster.pool().preparedQuery("INSERT INTO ops (room, version, author, author_name, client_op_id,"
        + " op, inverse, committed_at) SELECT $1, g, 'seed', 'Seed', 'seed-' || g,"
        + " CASE WHEN g <= $2 THEN jsonb_build_object('kind', 'create_shape', 'shape',"
        + "   jsonb_build_object('id', 's' || g, 'type', 'rect', 'x', g, 'y', 0))"
        + " ELSE jsonb_build_object('kind', 'move_shape', 'id', 's' || (g % $2 + 1), 'x', g, 'y', g) END,"
        + " jsonb_build_object('kind', 'delete_shape', 'id', 's' || g), now()"
        + " FROM generate_series(1, $3) AS g").execute(Tuple.of(room, SHAPES, count)));
    cluster.block(cluster.pool().preparedQuery("INSERT INTO rooms (id, head) VALUES ($1, $2)")
        .execute(Tuple.of(room, count)));
  }

  private CanvasState expected(int count) {
    CanvasState state = CanvasState.empty();
    for (int g = 1; g <= count; g++) {
      JsonNode op = g <= SHAPES
          ? Json.parse("{\"kind\":\"create_shape\",\"shape\":{\"id\":\"s" + g + "\",\"type\":\"rect\",\"x\":" + g
              + ",\"y\":0}}")
          : Json.parse("{\"kind\":\"move_shape\",\"id\":\"s" + (g % SHAPES + 1) + "\",\"x\":" + g + ",\"y\":" + g + "}");
      reducer.applyInPlace(state, reducer.parse(op));
    }
    return state;
  }

  private long snapshotsOf(String room) {
    return cluster.block(cluster.pool().preparedQuery("SELECT count(*) AS n FROM snapshots WHERE room = $1")
        .execute(Tuple.of(room))).iterator().next().getLong("n");
  }

  @Test
  @DisplayName("a room of 20,000 ops is snapshotted off the commit path; a joiner gets the snapshot-based state "
      + "and converges with live ops")
  void largeRoomJoin() {
    cluster = TestCluster.start(1);
    String room = "big-" + cluster.prefix;
    seed(room, 20_000);
    WsTestClient writer = cluster.connect(0, "writer");
    TestCluster.join(writer, room, 20_000L);
    TestCluster.sendOp(writer, room, "w1", TestCluster.move("s1", -1, -1));
    assertThat(writer.next("op", WAIT).path("version").asLong()).isEqualTo(20_001);
    cluster.awaitTrue("a snapshot of the room exists", () -> cluster.pool()
        .preparedQuery("SELECT count(*) AS n FROM snapshots WHERE room = $1 AND version = 20001")
        .execute(Tuple.of(room)).map(rows -> rows.iterator().next().getLong("n") == 1));

    CanvasState expected = expected(20_000);
    reducer.applyInPlace(expected, reducer.parse(TestCluster.move("s1", -1, -1)));
    WsTestClient late = cluster.connect(0, "late");
    long started = System.nanoTime();
    JsonNode joined = TestCluster.join(late, room, null);
    long joinMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(joined.path("snapshot").path("version").asLong()).isEqualTo(20_001);
    assertThat(joined.path("snapshot").path("hash").asText()).isEqualTo(expected.hash());
    CanvasState client = CanvasState.fromJson(joined.path("snapshot").path("state"));

    TestCluster.sendOp(writer, room, "w2", TestCluster.move("s2", 7, 7));
    reducer.applyInPlace(client, reducer.parse(late.next("op", WAIT).path("op")));
    reducer.applyInPlace(expected, reducer.parse(TestCluster.move("s2", 7, 7)));
    assertThat(client.hash()).isEqualTo(expected.hash());

    OpLog log = new OpLog(cluster.vertx, cluster.pool());
    long t0 = System.nanoTime();
    String at = cluster.block(log.stateAt(room, 19_999, reducer)).state().hash();
    long stateAtMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(at).isEqualTo(expected(19_999).hash());
    System.out.printf("SnapshotTest: join of a 20,001-op room (2,000 shapes) took %d ms; state at version 19,999 "
        + "(no snapshot at or below: full replay) took %d ms%n", joinMs, stateAtMs);
  }

  @Test
  @DisplayName("a snapshot whose hash disagrees with the log is reported on load and the log wins")
  void corruptSnapshotIsDetected() {
    cluster = TestCluster.start(1, b -> b, s -> s.snapshots(10, 60_000));
    String room = "verify-" + cluster.prefix;
    WsTestClient writer = cluster.connect(0, "writer");
    TestCluster.join(writer, room, null);
    for (int i = 0; i < 12; i++) {
      TestCluster.sendOp(writer, room, "c" + i, TestCluster.createRect("s" + i, i, i));
      writer.next("op", WAIT);
    }
    cluster.awaitTrue("a snapshot was written", () -> cluster.pool()
        .preparedQuery("SELECT count(*) AS n FROM snapshots WHERE room = $1").execute(Tuple.of(room))
        .map(rows -> rows.iterator().next().getLong("n") >= 1));
    assertThat(snapshotsOf(room)).isGreaterThanOrEqualTo(1);
    // Corrupt the stored state (a shape moved) but keep its old hash.
    cluster.block(cluster.pool().preparedQuery("UPDATE snapshots SET state = jsonb_set(state, '{shapes,0,x}', '999')"
        + " WHERE room = $1").execute(Tuple.of(room)));

    cluster.stopSequencer();
    cluster.startSequencer();
    TestCluster.sendOp(writer, room, "after", TestCluster.move("s0", 1, 1));
    JsonNode event = writer.next("op", WAIT);
    assertThat(event.path("version").asLong()).isEqualTo(13);
    assertThat(cluster.sequencer().sequencer().snapshotMismatches()).isEqualTo(1);

    CanvasState expected = CanvasState.empty();
    for (int i = 0; i < 12; i++) {
      reducer.applyInPlace(expected, reducer.parse(TestCluster.createRect("s" + i, i, i)));
    }
    reducer.applyInPlace(expected, reducer.parse(TestCluster.move("s0", 1, 1)));
    OpLog log = new OpLog(cluster.vertx, cluster.pool());
    assertThat(cluster.block(log.fullReplay(room, 13, reducer)).state().hash()).isEqualTo(expected.hash());
  }
}
