package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.protocol.Json;
import io.flowstate.testkit.WsTestClient;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Configured limits are enforced at their exact boundaries")
class LimitsTest extends ClusterTest {

  /** Sends a frame and returns the first frame that echoes {@code rid}. */
  private static JsonNode replyTo(WsTestClient client, String rid, String frame) {
    client.send(frame);
    return client.await(f -> rid.equals(f.path("rid").asText(null)), WAIT);
  }

  private static String joinFrame(String room, String rid) {
    return Json.write(Json.object().put("type", "join").put("room", room).put("rid", rid));
  }

  private static String chatFrame(String room, String text) {
    return Json.write(Json.object().put("type", "chat").put("room", room).put("text", text));
  }

  private static int utf8(String frame) {
    return frame.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Commits a new rect and checks that the submitter's own op event comes back. */
  private static JsonNode commits(WsTestClient client, String room, String id) {
    String shapeId = "s-" + id.substring(0, Math.min(id.length(), 20));
    TestCluster.sendOp(client, room, id, TestCluster.createRect(shapeId, 1, 2));
    JsonNode event = client.await(f -> f.path("type").asText().equals("op") && id.equals(f.path("id").asText())
        || ("r-" + id).equals(f.path("rid").asText(null)), WAIT);
    assertThat(event.path("type").asText()).as("outcome of op %s: %s", id, event).isEqualTo("op");
    assertThat(event.path("room").asText()).isEqualTo(room);
    return event;
  }

  @Test
  @DisplayName("a connection may join at most maxRoomsPerConnection rooms: the next join is too_large with its "
      + "rid, re-joining a joined room is not counted, and a leave frees a slot")
  void roomsPerConnection() {
    cluster = TestCluster.start(1, b -> b.maxRoomsPerConnection(2));
    String prefix = "rooms-" + cluster.prefix + "-";
    WsTestClient client = cluster.connect(0, "collector");
    TestCluster.join(client, prefix + "1", null);
    TestCluster.join(client, prefix + "2", null);

    JsonNode third = replyTo(client, "third", joinFrame(prefix + "3", "third"));
    assertThat(third.path("type").asText()).isEqualTo("error");
    assertThat(third.path("code").asText()).isEqualTo("too_large");
    assertThat(third.path("rid").asText()).isEqualTo("third");
    assertThat(client.isClosed()).isFalse();

    assertThat(commits(client, prefix + "1", "in-first").path("version").asLong()).isEqualTo(1);
    assertThat(commits(client, prefix + "2", "in-second").path("version").asLong()).isEqualTo(1);
    TestCluster.sendOp(client, prefix + "3", "in-third", TestCluster.createRect("x", 0, 0));
    assertThat(client.await(f -> "r-in-third".equals(f.path("rid").asText(null)), WAIT).path("code").asText())
        .as("the refused join left no membership behind").isEqualTo("not_joined");

    JsonNode rejoined = replyTo(client, "again", joinFrame(prefix + "1", "again"));
    assertThat(rejoined.path("type").asText()).as("re-joining a joined room is not a third room").isEqualTo("joined");
    assertThat(rejoined.path("version").asLong()).isEqualTo(1);

    client.send(Json.object().put("type", "leave").put("room", prefix + "2").put("rid", "bye"));
    assertThat(client.await(f -> "bye".equals(f.path("rid").asText(null)), WAIT).path("type").asText())
        .isEqualTo("left");
    JsonNode nowThird = replyTo(client, "third-again", joinFrame(prefix + "3", "third-again"));
    assertThat(nowThird.path("type").asText()).as("a leave frees a slot").isEqualTo("joined");
    assertThat(commits(client, prefix + "3", "in-third-now").path("version").asLong()).isEqualTo(1);
    assertThat(commits(client, prefix + "1", "in-first-again").path("version").asLong()).isEqualTo(2);
  }

  @Test
  @DisplayName("a message over maxFrameBytes UTF-8 bytes closes the connection with 1009; at the limit, and a "
      + "7 KiB chat, are served; other connections are untouched")
  void frameLimit() {
    cluster = TestCluster.start(1, b -> b.maxFrameBytes(8 * 1024));
    String room = "frames-" + cluster.prefix;
    WsTestClient talker = cluster.connect(0, "talker");
    WsTestClient listener = cluster.connect(0, "listener");
    TestCluster.join(talker, room, null);
    TestCluster.join(listener, room, null);

    // 1,750 emoji: 1,750 code points (under the 2,000-character chat limit) and about 7 KiB of UTF-8.
    String emoji = "\uD83D\uDE00".repeat(1_750);
    String sevenKiB = chatFrame(room, emoji);
    assertThat(utf8(sevenKiB)).isBetween(7 * 1024 - 200, 7 * 1024);
    talker.send(sevenKiB);
    JsonNode heard = listener.next("chat", WAIT);
    assertThat(heard.path("text").asText()).isEqualTo(emoji);
    assertThat(talker.next("chat", WAIT).path("text").asText()).isEqualTo(emoji);

    String base = "{\"type\":\"chat\",\"room\":\"" + room + "\",\"rid\":\"edge\",\"text\":\"\"}";
    String exactly = base.replace("\"text\":\"\"", "\"text\":\"" + "a".repeat(8 * 1024 - base.length()) + "\"");
    assertThat(utf8(exactly)).isEqualTo(8 * 1024);
    JsonNode atLimit = replyTo(talker, "edge", exactly);
    assertThat(atLimit.path("code").asText()).as("a message of exactly the limit is read (its text is too long "
        + "for a chat line)").isEqualTo("too_large");
    assertThat(talker.isClosed()).isFalse();

    // Fewer than 8,192 characters but more than 8,192 bytes: the limit is in bytes.
    String euros = chatFrame(room, "\u20AC".repeat(2_800));
    assertThat(euros.length()).isLessThan(8 * 1024);
    assertThat(utf8(euros)).isGreaterThan(8 * 1024);
    WsTestClient euro = cluster.connect(0, "euro");
    euro.send(euros);
    assertThat(euro.awaitClose(WAIT)).isEqualTo(1009);

    talker.send(chatFrame(room, "z".repeat(9 * 1024)));
    assertThat(talker.awaitClose(WAIT)).isEqualTo(1009);

    WsTestClient writer = cluster.connect(0, "writer");
    TestCluster.join(writer, room, null);
    TestCluster.sendOp(writer, room, "after-close", TestCluster.createRect("s", 0, 0));
    assertThat(listener.next("op", WAIT).path("id").asText()).isEqualTo("after-close");
    assertThat(listener.isClosed()).isFalse();
  }

  @Test
  @DisplayName("room ids of 1..128 characters and client op ids of 1..64 characters are accepted; one more is "
      + "bad_request echoing rid, and the connection goes on")
  void idLengths() {
    cluster = TestCluster.start(1);
    WsTestClient client = cluster.connect(0, "ids");
    String room128 = ("r" + cluster.prefix + "-").concat("x".repeat(128)).substring(0, 128);

    JsonNode tooLong = replyTo(client, "long-room", joinFrame(room128 + "y", "long-room"));
    assertThat(tooLong.path("type").asText()).isEqualTo("error");
    assertThat(tooLong.path("code").asText()).isEqualTo("bad_request");
    JsonNode empty = replyTo(client, "empty-room", joinFrame("", "empty-room"));
    assertThat(empty.path("code").asText()).isEqualTo("bad_request");

    JsonNode joined = replyTo(client, "max-room", joinFrame(room128, "max-room"));
    assertThat(joined.path("type").asText()).isEqualTo("joined");
    assertThat(joined.path("room").asText()).isEqualTo(room128);

    String id65 = "i".repeat(65);
    JsonNode badId = replyTo(client, "r-" + id65, Json.write(Json.object().put("type", "op").put("room", room128)
        .put("id", id65).put("rid", "r-" + id65).set("op", TestCluster.createRect("never", 0, 0))));
    assertThat(badId.path("type").asText()).isEqualTo("error");
    assertThat(badId.path("code").asText()).isEqualTo("bad_request");
    JsonNode emptyId = replyTo(client, "r-", Json.write(Json.object().put("type", "op").put("room", room128)
        .put("id", "").put("rid", "r-").set("op", TestCluster.createRect("never", 0, 0))));
    assertThat(emptyId.path("code").asText()).isEqualTo("bad_request");
    JsonNode badUndoId = replyTo(client, "u65", Json.write(Json.object().put("type", "undo").put("room", room128)
        .put("id", id65).put("rid", "u65")));
    assertThat(badUndoId.path("code").asText()).isEqualTo("bad_request");

    JsonNode committed = commits(client, room128, "i".repeat(64));
    assertThat(committed.path("version").asLong()).as("nothing was committed by the refused frames").isEqualTo(1);
    assertThat(committed.path("id").asText()).hasSize(64);
    assertThat(cluster.opRows(room128)).isEqualTo(1);
  }

  @Test
  @DisplayName("a room holds at most maxShapes shapes: the next create_shape, or a batch that would exceed the "
      + "limit, is too_large and commits nothing; a delete frees room again")
  void maxShapes() {
    cluster = TestCluster.start(1, b -> b,
        s -> s.canvasLimits(new CanvasLimits(64, 500, 10_000, 10_000, 128, 256, 3)));
    String room = "shapes-" + cluster.prefix;
    WsTestClient client = cluster.connect(0, "painter");
    TestCluster.join(client, room, null);
    for (int i = 1; i <= 3; i++) {
      assertThat(commits(client, room, "c" + i).path("version").asLong()).isEqualTo(i);
    }

    TestCluster.sendOp(client, room, "c4", TestCluster.createRect("fourth", 0, 0));
    JsonNode fourth = client.await(f -> "r-c4".equals(f.path("rid").asText(null)), WAIT);
    assertThat(fourth.path("type").asText()).isEqualTo("error");
    assertThat(fourth.path("code").asText()).isEqualTo("too_large");
    assertThat(fourth.path("id").asText()).isEqualTo("c4");

    client.send(Json.object().put("type", "op").put("room", room).put("id", "del").put("rid", "r-del")
        .set("op", Json.object().put("kind", "delete_shape").put("id", "s-c2")));
    JsonNode deleted = client.await(f -> "del".equals(f.path("id").asText(null)), WAIT);
    assertThat(deleted.path("type").asText()).isEqualTo("op");
    assertThat(deleted.path("version").asLong()).isEqualTo(4);

    ObjectNode batch = Json.object().put("kind", "batch");
    ArrayNode ops = batch.putArray("ops");
    ops.add(TestCluster.createRect("b1", 0, 0));
    ops.add(TestCluster.createRect("b2", 0, 0));
    TestCluster.sendOp(client, room, "two-more", batch);
    JsonNode overflow = client.await(f -> "r-two-more".equals(f.path("rid").asText(null)), WAIT);
    assertThat(overflow.path("code").asText()).as("a batch is atomic").isEqualTo("too_large");

    JsonNode refill = commits(client, room, "refill");
    assertThat(refill.path("version").asLong()).isEqualTo(5);
    assertThat(cluster.opRows(room)).isEqualTo(5);
    JsonNode state = TestCluster.join(cluster.connect(0, "viewer"), room, null).path("snapshot").path("state");
    assertThat(state.path("shapes").size()).isEqualTo(3);
  }
}
