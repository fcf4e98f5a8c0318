package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.protocol.Json;
import io.flowstate.testkit.WsTestClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Server-checked undo and redo")
class UndoRedoTest extends ClusterTest {
  private String room;
  private int requests;

  private JsonNode undo(WsTestClient client) {
    return request(client, "undo");
  }

  private JsonNode redo(WsTestClient client) {
    return request(client, "redo");
  }

  /** Sends undo/redo and returns the resulting op event or error addressed to the caller. */
  private JsonNode request(WsTestClient client, String type) {
    String id = type + "-" + (++requests);
    client.send(Json.object().put("type", type).put("room", room).put("id", id).put("rid", id));
    return client.await(f -> id.equals(f.path("id").asText())
        && (f.path("type").asText().equals("op") || f.path("type").asText().equals("error")), WAIT);
  }

  private static JsonNode commit(WsTestClient client, String room, String id, JsonNode op) {
    TestCluster.sendOp(client, room, id, op);
    return client.await(f -> f.path("type").asText().equals("op") && id.equals(f.path("id").asText()), WAIT);
  }

  private static JsonNode fill(String shape, String color) {
    var op = Json.object().put("kind", "update_shape").put("id", shape);
    op.putObject("set").putObject("style").put("fill", color);
    return op;
  }

  private JsonNode shapeAtHead(WsTestClient observer) {
    JsonNode joined = TestCluster.join(observer, room, null);
    for (JsonNode shape : joined.path("snapshot").path("state").path("shapes")) {
      if (shape.path("id").asText().equals("s")) {
        return shape;
      }
    }
    return null;
  }

  @Test
  @DisplayName("two users interleave edits and each undo reverts only the caller's own last op, "
      + "keeping the other's later changes; redo re-applies; a new op clears redo")
  void interleavedUsers() {
    cluster = TestCluster.start(2);
    room = "undo-" + cluster.prefix;
    WsTestClient alice = cluster.connect(0, "alice");
    WsTestClient bob = cluster.connect(1, "bob");
    TestCluster.join(alice, room, null);
    TestCluster.join(bob, room, null);

    commit(alice, room, "a1", TestCluster.createRect("s", 0, 0));
    commit(alice, room, "a2", TestCluster.move("s", 10, 10));
    JsonNode bobsFill = commit(bob, room, "b1", fill("s", "#00f"));
    commit(alice, room, "a3", fill("s", "#f00"));
    commit(bob, room, "b2", TestCluster.move("s", 50, 50));

    // Bob undoes his move (version 5): back to Alice's position.
    JsonNode bobUndo = undo(bob);
    assertThat(bobUndo.path("type").asText()).isEqualTo("op");
    assertThat(bobUndo.path("undoOf").asLong()).isEqualTo(5);
    assertThat(bobUndo.path("author").path("id").asText()).isEqualTo("guest-bob");
    // Alice undoes her fill (version 4): restores Bob's earlier fill, not "no fill".
    JsonNode aliceUndo = undo(alice);
    assertThat(aliceUndo.path("undoOf").asLong()).isEqualTo(4);
    // Bob undoes his fill (version 3): its value was overwritten by Alice's (now undone) fill and is
    // current again, so it is removed.
    assertThat(undo(bob).path("undoOf").asLong()).isEqualTo(bobsFill.path("version").asLong());
    // Alice undoes her move (version 2): Bob's move was undone, so x,y still hold her values.
    assertThat(undo(alice).path("undoOf").asLong()).isEqualTo(2);

    WsTestClient observer = cluster.connect(0, "observer");
    JsonNode shape = shapeAtHead(observer);
    assertThat(shape.path("x").asDouble()).isZero();
    assertThat(shape.path("y").asDouble()).isZero();
    assertThat(shape.has("style")).isFalse();

    JsonNode aliceRedo = redo(alice);
    assertThat(aliceRedo.path("redoOf").asLong()).isEqualTo(2);
    assertThat(aliceRedo.path("op").path("set").path("x").asDouble()).isEqualTo(10);

    commit(alice, room, "a4", TestCluster.move("s", 70, 70));
    JsonNode refused = redo(alice);
    assertThat(refused.path("type").asText()).isEqualTo("error");
    assertThat(refused.path("code").asText()).isEqualTo("nothing_to_redo");
  }

  @Test
  @DisplayName("a later edit by someone else is kept when the caller undoes, and nothing left gives nothing_to_undo")
  void laterEditsWinAndStacksEnd() {
    cluster = TestCluster.start(1);
    room = "undo-later-" + cluster.prefix;
    WsTestClient alice = cluster.connect(0, "alice");
    WsTestClient bob = cluster.connect(0, "bob");
    TestCluster.join(alice, room, null);
    TestCluster.join(bob, room, null);
    commit(alice, room, "a1", TestCluster.createRect("s", 0, 0));
    commit(alice, room, "a2", TestCluster.move("s", 10, 10));
    commit(bob, room, "b1", TestCluster.move("s", 20, 20));

    // Alice's move has nothing left to revert (Bob moved it since): skipped; her create is undone.
    JsonNode undo = undo(alice);
    assertThat(undo.path("undoOf").asLong()).isEqualTo(1);
    assertThat(undo.path("op").path("kind").asText()).isEqualTo("delete_shape");
    JsonNode none = undo(alice);
    assertThat(none.path("code").asText()).isEqualTo("nothing_to_undo");
    assertThat(none.path("rid").asText()).startsWith("undo-");
    assertThat(undo(bob).path("code").asText()).isEqualTo("nothing_to_undo");
  }

  @Test
  @DisplayName("undo and redo stacks survive a sequencer restart (they are derived from the op log)")
  void survivesRestart() {
    cluster = TestCluster.start(1);
    room = "undo-restart-" + cluster.prefix;
    WsTestClient alice = cluster.connect(0, "alice");
    TestCluster.join(alice, room, null);
    commit(alice, room, "a1", TestCluster.createRect("s", 0, 0));
    commit(alice, room, "a2", TestCluster.move("s", 10, 10));
    commit(alice, room, "a3", TestCluster.move("s", 20, 20));
    assertThat(undo(alice).path("undoOf").asLong()).isEqualTo(3);

    cluster.stopSequencer();
    cluster.startSequencer();

    JsonNode redo = redo(alice);
    assertThat(redo.path("redoOf").asLong()).isEqualTo(3);
    assertThat(redo.path("op").path("set").path("x").asDouble()).isEqualTo(20);
    assertThat(undo(alice).path("undoOf").asLong()).isEqualTo(redo.path("version").asLong());
    assertThat(undo(alice).path("undoOf").asLong()).isEqualTo(2);
    assertThat(undo(alice).path("undoOf").asLong()).isEqualTo(1);
    assertThat(undo(alice).path("code").asText()).isEqualTo("nothing_to_undo");
  }
}
