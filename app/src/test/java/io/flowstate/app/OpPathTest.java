package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.canvas.CanvasState;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.protocol.Json;
import io.flowstate.testkit.WsTestClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The op path gateway → Redis → sequencer → PostgreSQL → Redis → gateways")
class OpPathTest extends ClusterTest {

  private String room(String name) {
    return name + "-" + cluster.prefix;
  }

  private static JsonNode nextOp(WsTestClient client) {
    return client.next("op", WAIT);
  }

  @Test
  @DisplayName("an op is durable in PostgreSQL before any client sees its event")
  void durableBeforeVisible() {
    cluster = TestCluster.start(1);
    String room = room("durable");
    WsTestClient client = cluster.connect(0, "alice");
    TestCluster.join(client, room, null);
    TestCluster.sendOp(client, room, "first", TestCluster.createRect("a", 0, 0));
    assertThat(nextOp(client).path("version").asLong()).isEqualTo(1);

    // Hold the room's head row: the sequencer's commit must wait, and so must the event.
    SqlConnection blocker = cluster.block(cluster.pool().getConnection());
    cluster.block(blocker.query("BEGIN").execute());
    cluster.block(blocker.preparedQuery("SELECT head FROM rooms WHERE id = $1 FOR UPDATE").execute(Tuple.of(room)));
    TestCluster.sendOp(client, room, "second", TestCluster.move("a", 5, 5));
    cluster.awaitTrue("the sequencer's commit waits for the row lock", () -> cluster.pool()
        .query("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            + " AND datname = current_database()").execute()
        .map(rows -> rows.iterator().next().getLong("n") > 0));
    WsTestClient observer = cluster.connect(0, "observer");
    TestCluster.join(observer, room, 1L);
    assertThat(observer.all()).noneMatch(f -> f.path("version").asLong() == 2 && f.path("type").asText().equals("op"));
    assertThat(cluster.opRows(room)).isEqualTo(1);
    assertThat(client.all()).noneMatch(f -> f.path("version").asLong() == 2);

    cluster.block(blocker.query("COMMIT").execute());
    JsonNode event = nextOp(client);
    assertThat(event.path("version").asLong()).isEqualTo(2);
    assertThat(cluster.opRows(room)).isEqualTo(2);
    blocker.close();
  }

  @Test
  @DisplayName("a retried op id commits once and is acked with its first version, also after reconnecting and "
      + "after a sequencer restart; two authors may use the same id")
  void retriesAreIdempotent() {
    cluster = TestCluster.start(1);
    String room = room("retry");
    WsTestClient alice = cluster.connect(0, "alice");
    TestCluster.join(alice, room, null);
    TestCluster.sendOp(alice, room, "op-1", TestCluster.createRect("s1", 1, 1));
    assertThat(nextOp(alice).path("version").asLong()).isEqualTo(1);

    TestCluster.sendOp(alice, room, "op-1", TestCluster.createRect("s1", 1, 1));
    JsonNode ack = alice.next("ack", WAIT);
    assertThat(ack.path("duplicate").asBoolean()).isTrue();
    assertThat(ack.path("version").asLong()).isEqualTo(1);
    assertThat(ack.path("id").asText()).isEqualTo("op-1");
    assertThat(ack.path("rid").asText()).isEqualTo("r-op-1");

    alice.close();
    WsTestClient aliceAgain = cluster.connect(0, "alice");
    TestCluster.join(aliceAgain, room, 1L);
    TestCluster.sendOp(aliceAgain, room, "op-1", TestCluster.createRect("s1", 1, 1));
    assertThat(aliceAgain.next("ack", WAIT).path("version").asLong()).isEqualTo(1);

    cluster.stopSequencer();
    cluster.startSequencer();
    // After a restart the sequencer no longer holds the id in memory; the create would now conflict.
    TestCluster.sendOp(aliceAgain, room, "op-1", TestCluster.createRect("s1", 1, 1));
    assertThat(aliceAgain.next("ack", WAIT).path("version").asLong()).isEqualTo(1);

    WsTestClient bob = cluster.connect(0, "bob");
    TestCluster.join(bob, room, 1L);
    TestCluster.sendOp(bob, room, "op-1", TestCluster.createRect("s2", 2, 2));
    JsonNode bobs = nextOp(bob);
    assertThat(bobs.path("version").asLong()).isEqualTo(2);
    assertThat(bobs.path("author").path("id").asText()).isEqualTo("guest-bob");

    assertThat(cluster.opRows(room)).isEqualTo(2);
  }

  @Test
  @DisplayName("a client that rejoins with since gets exactly the ops it missed, then live events without a gap")
  void resumeWithSince() {
    cluster = TestCluster.start(2);
    String room = room("resume");
    WsTestClient reader = cluster.connect(0, "reader");
    TestCluster.join(reader, room, null);
    WsTestClient writer = cluster.connect(1, "writer");
    TestCluster.join(writer, room, null);
    TestCluster.sendOp(writer, room, "w-0", TestCluster.createRect("s", 0, 0));
    assertThat(nextOp(reader).path("version").asLong()).isEqualTo(1);
    reader.close();

    for (int i = 1; i <= 100; i++) {
      TestCluster.sendOp(writer, room, "w-" + i, TestCluster.move("s", i, i));
    }
    writer.await(f -> f.path("type").asText().equals("op") && f.path("version").asLong() == 101, WAIT);

    WsTestClient back = cluster.connect(0, "reader");
    JsonNode joined = TestCluster.join(back, room, 1L);
    assertThat(joined.path("version").asLong()).isEqualTo(101);
    assertThat(joined.has("snapshot")).isFalse();
    List<Long> versions = new ArrayList<>();
    joined.path("ops").forEach(op -> versions.add(op.path("version").asLong()));
    assertThat(versions).containsExactlyElementsOf(LongStream.rangeClosed(2, 101).boxed().toList());
    assertThat(joined.path("ops").get(99).path("op").path("x").asDouble()).isEqualTo(100);

    TestCluster.sendOp(writer, room, "w-live", TestCluster.move("s", -1, -1));
    assertThat(nextOp(back).path("version").asLong()).isEqualTo(102);
  }

  @Test
  @DisplayName("a client too far behind gets a snapshot whose hash matches the replayed ops")
  void farBehindGetsSnapshot() {
    cluster = TestCluster.start(1, b -> b.maxCatchupOps(10));
    String room = room("snapshot");
    WsTestClient writer = cluster.connect(0, "writer");
    TestCluster.join(writer, room, null);
    Reducer reducer = new Reducer(CanvasLimits.defaults());
    CanvasState expected = CanvasState.empty();
    for (int i = 0; i < 30; i++) {
      TestCluster.sendOp(writer, room, "c-" + i, TestCluster.createRect("s" + i, i, i));
    }
    for (int i = 0; i < 30; i++) {
      reducer.applyInPlace(expected, reducer.parse(nextOp(writer).path("op")));
    }

    WsTestClient late = cluster.connect(0, "late");
    JsonNode joined = TestCluster.join(late, room, 5L);
    assertThat(joined.path("version").asLong()).isEqualTo(30);
    assertThat(joined.has("ops")).isFalse();
    JsonNode snapshot = joined.path("snapshot");
    assertThat(snapshot.path("version").asLong()).isEqualTo(30);
    assertThat(snapshot.path("hash").asText()).isEqualTo(expected.hash());
    assertThat(CanvasState.fromJson(snapshot.path("state")).hash()).isEqualTo(expected.hash());
    assertThat(snapshot.path("state").path("shapes")).hasSize(30);
  }

  @Test
  @DisplayName("an event lost on its way to one gateway is repaired from PostgreSQL before later events")
  void gapRepair() {
    cluster = TestCluster.start(2);
    String room = room("gap");
    Set<Long> dropped = new HashSet<>();
    cluster.gateways.get(1).feeds().tap((r, version) -> !(version == 3 && dropped.add(version)));
    WsTestClient writer = cluster.connect(0, "writer");
    TestCluster.join(writer, room, null);
    WsTestClient victim = cluster.connect(1, "victim");
    TestCluster.join(victim, room, null);
    for (int i = 1; i <= 6; i++) {
      TestCluster.sendOp(writer, room, "g-" + i, TestCluster.createRect("s" + i, i, i));
    }
    List<Long> versions = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      versions.add(nextOp(victim).path("version").asLong());
    }
    assertThat(dropped).containsExactly(3L);
    assertThat(versions).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
  }

  @Test
  @DisplayName("when no sequencer answers, an op gets unavailable after the timeout and a retry later commits once")
  void unavailableWithoutSequencer() {
    cluster = TestCluster.start(1, b -> b.opTimeoutMs(700));
    String room = room("unavailable");
    WsTestClient client = cluster.connect(0, "alice");
    TestCluster.join(client, room, null);
    cluster.stopSequencer();
    TestCluster.sendOp(client, room, "u-1", TestCluster.createRect("s", 0, 0));
    JsonNode error = client.next("error", Duration.ofSeconds(5));
    assertThat(error.path("code").asText()).isEqualTo("unavailable");
    assertThat(error.path("rid").asText()).isEqualTo("r-u-1");
    assertThat(error.path("id").asText()).isEqualTo("u-1");

    cluster.startSequencer();
    TestCluster.sendOp(client, room, "u-1", TestCluster.createRect("s", 0, 0));
    assertThat(nextOp(client).path("version").asLong()).isEqualTo(1);
  }

  @Test
  @DisplayName("leave stops the stream and answers left; ops after leaving are not_joined")
  void leave() {
    cluster = TestCluster.start(1);
    String room = room("leave");
    WsTestClient client = cluster.connect(0, "alice");
    TestCluster.join(client, room, null);
    client.send(Json.object().put("type", "leave").put("room", room).put("rid", "bye"));
    JsonNode left = client.next("left", WAIT);
    assertThat(left.path("rid").asText()).isEqualTo("bye");
    TestCluster.sendOp(client, room, "x", TestCluster.createRect("s", 0, 0));
    assertThat(client.next("error", WAIT).path("code").asText()).isEqualTo("not_joined");
  }
}
