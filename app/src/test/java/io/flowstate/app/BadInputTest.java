package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.Json;
import io.flowstate.testkit.WsTestClient;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Bad input gets a documented error and the connection goes on")
class BadInputTest {
  private static TestCluster cluster;
  private static WsTestClient client;
  private static WsTestClient bystander;
  private static String room;
  private static int counter;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, b -> b.maxOpBytes(64 * 1024).maxFrameBytes(256 * 1024));
    room = "bad-" + cluster.prefix;
    client = cluster.connect(0, "mallory");
    bystander = cluster.connect(0, "bystander");
    TestCluster.join(client, room, null);
    TestCluster.join(bystander, room, null);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static JsonNode errorFor(String frame) {
    client.send(frame);
    return client.next("error", WAIT);
  }

  private static JsonNode opError(JsonNode op) {
    String id = "bad-" + (++counter);
    TestCluster.sendOp(client, room, id, op);
    JsonNode error = client.next("error", WAIT);
    assertThat(error.path("rid").asText()).isEqualTo("r-" + id);
    assertThat(error.path("id").asText()).isEqualTo(id);
    assertThat(error.path("room").asText()).isEqualTo(room);
    return error;
  }

  /** After each bad frame, the same connection still commits ops and the bystander sees them. */
  private static void stillWorks() {
    String id = "good-" + (++counter);
    TestCluster.sendOp(client, room, id, TestCluster.createRect("ok-" + counter, 1, 1));
    JsonNode mine = client.next("op", WAIT);
    assertThat(mine.path("id").asText()).isEqualTo(id);
    assertThat(bystander.next("op", WAIT).path("id").asText()).isEqualTo(id);
  }

  @Test
  @DisplayName("non-JSON is bad_request")
  void nonJson() {
    assertThat(errorFor("this is not json").path("code").asText()).isEqualTo("bad_request");
    assertThat(errorFor("[1,2,3]").path("code").asText()).isEqualTo("bad_request");
    stillWorks();
  }

  @Test
  @DisplayName("an unknown type is bad_request echoing rid")
  void unknownType() {
    JsonNode error = errorFor("{\"type\":\"teleport\",\"room\":\"x\",\"rid\":\"t1\"}");
    assertThat(error.path("code").asText()).isEqualTo("bad_request");
    assertThat(error.path("rid").asText()).isEqualTo("t1");
    stillWorks();
  }

  @Test
  @DisplayName("missing fields are bad_request echoing rid")
  void missingFields() {
    JsonNode noRoom = errorFor("{\"type\":\"join\",\"rid\":\"m1\"}");
    assertThat(noRoom.path("code").asText()).isEqualTo("bad_request");
    assertThat(noRoom.path("rid").asText()).isEqualTo("m1");
    JsonNode noId = errorFor("{\"type\":\"op\",\"room\":\"" + room + "\",\"rid\":\"m2\",\"op\":{}}");
    assertThat(noId.path("code").asText()).isEqualTo("bad_request");
    assertThat(noId.path("rid").asText()).isEqualTo("m2");
    JsonNode noOp = errorFor("{\"type\":\"op\",\"room\":\"" + room + "\",\"rid\":\"m3\",\"id\":\"x\"}");
    assertThat(noOp.path("code").asText()).isEqualTo("bad_request");
    stillWorks();
  }

  @Test
  @DisplayName("an op before join is not_joined")
  void opBeforeJoin() {
    JsonNode error = errorFor("{\"type\":\"op\",\"room\":\"elsewhere\",\"rid\":\"n1\",\"id\":\"o1\","
        + "\"op\":{\"kind\":\"delete_shape\",\"id\":\"s\"}}");
    assertThat(error.path("code").asText()).isEqualTo("not_joined");
    assertThat(error.path("rid").asText()).isEqualTo("n1");
    stillWorks();
  }

  @Test
  @DisplayName("invalid shapes are invalid_op, unknown shapes not_found, existing ids conflict")
  void invalidOps() {
    ObjectNode noType = Json.object().put("kind", "create_shape");
    noType.putObject("shape").put("id", "q").put("x", 1).put("y", 1);
    assertThat(opError(noType).path("code").asText()).isEqualTo("invalid_op");
    ObjectNode badNumber = Json.object().put("kind", "create_shape");
    badNumber.putObject("shape").put("id", "q").put("type", "rect").put("x", "left").put("y", 1);
    assertThat(opError(badNumber).path("code").asText()).isEqualTo("invalid_op");
    assertThat(opError(Json.object().put("kind", "explode")).path("code").asText()).isEqualTo("invalid_op");
    assertThat(opError(TestCluster.move("ghost", 1, 1)).path("code").asText()).isEqualTo("not_found");
    TestCluster.sendOp(client, room, "dup-create", TestCluster.createRect("dup", 1, 1));
    client.next("op", WAIT);
    bystander.next("op", WAIT);
    assertThat(opError(TestCluster.createRect("dup", 2, 2)).path("code").asText()).isEqualTo("conflict");
    stillWorks();
  }

  @Test
  @DisplayName("a batch of more than 500 ops is too_large and commits nothing")
  void batchTooLarge() {
    ObjectNode batch = Json.object().put("kind", "batch");
    ArrayNode ops = batch.putArray("ops");
    for (int i = 0; i < 501; i++) {
      ops.add(TestCluster.createRect("b" + i, i, i));
    }
    assertThat(opError(batch).path("code").asText()).isEqualTo("too_large");
    stillWorks();
  }

  @Test
  @DisplayName("an op id longer than 64 characters is bad_request; an op over the op size limit is too_large")
  void oversize() {
    String longId = "x".repeat(65);
    client.send(Json.object().put("type", "op").put("room", room).put("id", longId).put("rid", "long")
        .set("op", TestCluster.move("s", 1, 1)));
    JsonNode error = client.next("error", WAIT);
    assertThat(error.path("code").asText()).isEqualTo("bad_request");
    assertThat(error.path("rid").asText()).isEqualTo("long");

    ObjectNode big = Json.object().put("kind", "create_shape");
    big.putObject("shape").put("id", "big").put("type", "text").put("x", 0).put("y", 0).put("text", "y".repeat(70_000));
    JsonNode tooBig = opError(big);
    assertThat(tooBig.path("code").asText()).isEqualTo("too_large");
    stillWorks();
  }

  @Test
  @DisplayName("a frame over the frame size limit closes that connection with 1009; others go on")
  void frameTooBig() {
    WsTestClient reckless = cluster.connect(0, "reckless");
    reckless.send("{\"type\":\"chat\",\"room\":\"" + room + "\",\"text\":\"" + "z".repeat(300 * 1024) + "\"}");
    assertThat(reckless.awaitClose(WAIT)).isEqualTo(1009);
    stillWorks();
  }

  @Test
  @DisplayName("without guest access a connection without a token is refused with 401 before the upgrade")
  void noGuestAccessMeans401() {
    var gateway = cluster.startGateway(b -> b.guestAccess(false));
    assertThat(WsTestClient.rejectionStatus(cluster.vertx, gateway.port(), "/v1/ws", Map.of())).isEqualTo(401);
  }
}
