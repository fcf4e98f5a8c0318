package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.canvas.CanvasState;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.protocol.Json;
import io.flowstate.testkit.WsTestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HTTP history: room state at any version and the paged op log")
class HistoryHttpTest extends ClusterTest {

  /** One HTTP response, read whole. */
  record Response(int status, String contentType, Buffer body) {
    JsonNode json() {
      return Json.parse(body.toString());
    }
  }

  /** GET {@code uri} from gateway {@code gateway}, blocking the test thread. */
  static Response get(TestCluster cluster, int gateway, String uri) {
    return cluster.block(cluster.http().request(HttpMethod.GET, cluster.port(gateway), "127.0.0.1", uri)
        .compose(req -> req.send())
        .compose((HttpClientResponse resp) -> resp.body()
            .map(body -> new Response(resp.statusCode(), resp.getHeader("content-type"), body))));
  }

  /** Asserts a JSON error with {@code code} and status {@code status}. */
  static void assertError(Response response, int status, String code) {
    assertThat(response.status()).as("status of %s", response.body()).isEqualTo(status);
    assertThat(response.contentType()).isEqualTo("application/json");
    assertThat(response.json().path("code").asText()).isEqualTo(code);
    assertThat(response.json().path("message").asText()).isNotBlank();
  }

  private String room(String name) {
    return name + "-" + cluster.prefix;
  }

  private static ObjectNode create(ObjectNode shape) {
    return Json.object().put("kind", "create_shape").set("shape", shape);
  }

  private static ObjectNode shape(String id, String type, double x, double y) {
    return Json.object().put("id", id).put("type", type).put("x", x).put("y", y);
  }

  private static ObjectNode update(String id, ObjectNode set) {
    return Json.object().put("kind", "update_shape").put("id", id).set("set", set);
  }

  private static ObjectNode withPoints(ObjectNode shape, double... xy) {
    ArrayNode points = shape.putArray("points");
    for (int i = 0; i < xy.length; i += 2) {
      points.addArray().add(xy[i]).add(xy[i + 1]);
    }
    return shape;
  }

  /**
   * Thirty versions of creates, moves, updates (one removing a field), a resize, a delete and a
   * batch, sent over the WebSocket; returns the live op events the sender received, in order.
   */
  static List<JsonNode> commitThirtyVersions(WsTestClient client, String room) {
    List<JsonNode> ops = new ArrayList<>();
    ops.add(TestCluster.createRect("r1", 0, 0));
    ObjectNode ellipse = shape("e1", "ellipse", 50, 50).put("w", 40).put("h", 20);
    ellipse.set("style", Json.object().put("fill", "#ff0000").put("opacity", 0.5));
    ops.add(create(ellipse));
    ops.add(TestCluster.move("r1", 5, 5));
    ops.add(TestCluster.move("r1", 10.25, 10));
    ObjectNode text = shape("t1", "text", 0, 100).put("text", "a<b>&\"c\"\nline 'two'");
    text.set("style", Json.object().put("fontSize", 20));
    ops.add(create(text));
    ops.add(update("t1", Json.object().put("text", "changed").put("z", "m")));
    ops.add(Json.object().put("kind", "resize_shape").put("id", "e1").put("w", 80).put("h", 30));
    ArrayNode batch = Json.array();
    batch.add(create(shape("s1", "sticky", 200, 0).put("text", "note")));
    batch.add(TestCluster.move("s1", 210, 10));
    batch.add(create(withPoints(shape("p1", "path", 300, 300), 0, 0, 1, 2, 3, 4)));
    ops.add(Json.object().put("kind", "batch").set("ops", batch));
    ops.add(update("e1", Json.object().put("rotation", 45)));
    ops.add(Json.object().put("kind", "delete_shape").put("id", "r1"));
    ops.add(create(withPoints(shape("l1", "line", 0, 0), 0, 0, 10, 10)));
    ObjectNode arrow = withPoints(shape("a1", "arrow", 5, 5), 0, 0, 20, 0);
    arrow.set("style", Json.object().put("stroke", "blue"));
    ops.add(create(arrow));
    ops.add(update("e1", Json.object().putNull("rotation")));
    for (int i = 14; i <= 30; i++) {
      ops.add(i % 2 == 0 ? TestCluster.move("s1", i, i * 2) : TestCluster.move("l1", i + 0.5, -i));
    }
    for (int i = 0; i < ops.size(); i++) {
      TestCluster.sendOp(client, room, "op-" + (i + 1), ops.get(i));
    }
    List<JsonNode> events = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      JsonNode event = client.next("op", WAIT);
      assertThat(event.path("version").asLong()).isEqualTo(i + 1);
      events.add(event);
    }
    assertThat(client.all()).noneMatch(f -> f.path("type").asText().equals("error"));
    return events;
  }

  /** Every op event of a room, walking /ops pages of {@code limit}; returns the pages. */
  private List<JsonNode> pages(String room, int limit) {
    List<JsonNode> pages = new ArrayList<>();
    long after = 0;
    while (true) {
      Response r = get(cluster, 0, "/v1/rooms/" + room + "/ops?after=" + after + "&limit=" + limit);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.contentType()).isEqualTo("application/json");
      JsonNode page = r.json();
      pages.add(page);
      if (page.path("next").isNull()) {
        return pages;
      }
      assertThat(pages).as("pages").hasSizeLessThan(10_000);
      after = page.path("next").asLong();
    }
  }

  private static List<JsonNode> ops(List<JsonNode> pages) {
    List<JsonNode> ops = new ArrayList<>();
    pages.forEach(p -> p.path("ops").forEach(ops::add));
    return ops;
  }

  /** Checks /state?version=V against the reducer applied to ops 1..V for every V in {@code checked}. */
  private void assertTimeTravel(String room, List<JsonNode> events, long... checked) {
    Reducer reducer = new Reducer(CanvasLimits.defaults());
    CanvasState replay = CanvasState.empty();
    int next = 0;
    for (long version : checked) {
      while (next < version) {
        reducer.applyInPlace(replay, reducer.parse(events.get(next++).path("op")));
      }
      Response r = get(cluster, 0, "/v1/rooms/" + room + "/state?version=" + version);
      assertThat(r.status()).as("status at version %d: %s", version, r.body()).isEqualTo(200);
      assertThat(r.contentType()).isEqualTo("application/json");
      JsonNode body = r.json();
      assertThat(body.path("version").asLong()).isEqualTo(version);
      assertThat(body.path("state")).as("state at version %d", version)
          .isEqualTo(Json.parse(Json.write(replay.toJson())));
      assertThat(body.path("hash").asText()).as("hash at version %d", version).isEqualTo(replay.hash());
      assertThat(CanvasState.fromJson(body.path("state")).hash()).isEqualTo(replay.hash());
    }
  }

  @Test
  @DisplayName("the state at every checked version equals the reducer applied to ops 1..V from /ops, with the same hash")
  void timeTravel() {
    cluster = TestCluster.start(1);
    String room = room("travel");
    WsTestClient alice = cluster.connect(0, "alice");
    TestCluster.join(alice, room, null);
    List<JsonNode> live = commitThirtyVersions(alice, room);

    List<JsonNode> events = ops(pages(room, 1000));
    assertThat(events).hasSize(30);
    assertThat(events).as("the log over HTTP is the live stream").containsExactlyElementsOf(live);
    assertTimeTravel(room, events, 1, 2, 7, 8, 9, 10, 13, 20, 29, 30);
    assertTimeTravel(room, events, 30, 30, 30);

    JsonNode head = get(cluster, 0, "/v1/rooms/" + room + "/state").json();
    assertThat(head.path("version").asLong()).isEqualTo(30);
    JsonNode atNine = get(cluster, 0, "/v1/rooms/" + room + "/state?version=9").json();
    assertThat(atNine.path("state").path("shapes").findValuesAsText("id")).contains("r1");
    JsonNode atTen = get(cluster, 0, "/v1/rooms/" + room + "/state?version=10").json();
    assertThat(atTen.path("state").path("shapes").findValuesAsText("id")).doesNotContain("r1");
  }

  @Test
  @DisplayName("a malformed version is 400 bad_request; a version above the head and an unknown room are 404 not_found")
  void stateErrors() {
    cluster = TestCluster.start(1);
    String room = room("errors");
    WsTestClient alice = cluster.connect(0, "alice");
    TestCluster.join(alice, room, null);
    TestCluster.sendOp(alice, room, "one", TestCluster.createRect("a", 0, 0));
    TestCluster.sendOp(alice, room, "two", TestCluster.move("a", 1, 1));
    alice.await(f -> f.path("type").asText().equals("op") && f.path("version").asLong() == 2, WAIT);

    String base = "/v1/rooms/" + room + "/state";
    for (String bad : List.of("0", "-1", "abc", "1.5", "", "+1", "1e3", "99999999999999999999", "1&version=2")) {
      assertError(get(cluster, 0, base + "?version=" + bad), 400, "bad_request");
    }
    assertError(get(cluster, 0, base + "?version=3"), 404, "not_found");
    assertError(get(cluster, 0, "/v1/rooms/nope-" + cluster.prefix + "/state"), 404, "not_found");
    assertError(get(cluster, 0, "/v1/rooms/nope-" + cluster.prefix + "/state?version=1"), 404, "not_found");
    assertError(get(cluster, 0, "/v1/rooms/" + "x".repeat(129) + "/state"), 400, "bad_request");
    assertThat(get(cluster, 0, base + "?version=2").status()).isEqualTo(200);

    String ops = "/v1/rooms/" + room + "/ops";
    for (String bad : List.of("after=-1", "after=x", "limit=0", "limit=-5", "limit=ten", "after=1&after=2")) {
      assertError(get(cluster, 0, ops + "?" + bad), 400, "bad_request");
    }
    assertError(get(cluster, 0, "/v1/rooms/nope-" + cluster.prefix + "/ops"), 404, "not_found");
    JsonNode beyond = get(cluster, 0, ops + "?after=5").json();
    assertThat(beyond.path("ops")).isEmpty();
    assertThat(beyond.path("next").isNull()).isTrue();
  }

  @Test
  @DisplayName("/ops pages of 7 walk every op exactly once in ascending versions, and next is null on the last page")
  void paging() {
    cluster = TestCluster.start(1);
    String room = room("paging");
    WsTestClient alice = cluster.connect(0, "alice");
    TestCluster.join(alice, room, null);
    commitThirtyVersions(alice, room);

    List<JsonNode> pages = pages(room, 7);
    assertThat(pages).extracting(p -> p.path("ops").size()).containsExactly(7, 7, 7, 7, 2);
    assertThat(pages).extracting(p -> p.path("next").isNull() ? null : p.path("next").asLong())
        .containsExactly(7L, 14L, 21L, 28L, null);
    assertThat(ops(pages)).extracting(op -> op.path("version").asLong())
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 30).boxed().toList());
    assertThat(ops(pages)).allSatisfy(op -> {
      assertThat(op.path("type").asText()).isEqualTo("op");
      assertThat(op.path("room").asText()).isEqualTo(room);
      assertThat(op.path("author").path("id").asText()).isEqualTo("guest-alice");
    });

    JsonNode defaults = get(cluster, 0, "/v1/rooms/" + room + "/ops").json();
    assertThat(defaults.path("ops")).hasSize(30);
    assertThat(defaults.path("next").isNull()).isTrue();
  }

  @Test
  @DisplayName("a limit over the configured page cap is capped, and next continues after the capped page")
  void limitIsCapped() {
    cluster = TestCluster.start(1, b -> b.maxOpsPage(10));
    String room = room("capped");
    WsTestClient alice = cluster.connect(0, "alice");
    TestCluster.join(alice, room, null);
    commitThirtyVersions(alice, room);

    JsonNode page = get(cluster, 0, "/v1/rooms/" + room + "/ops?limit=1000").json();
    assertThat(page.path("ops")).hasSize(10);
    assertThat(page.path("next").asLong()).isEqualTo(10);
    JsonNode last = get(cluster, 0, "/v1/rooms/" + room + "/ops?after=20&limit=999999").json();
    assertThat(last.path("ops")).hasSize(10);
    assertThat(last.path("next").isNull()).isTrue();
  }

  @Test
  @DisplayName("a room of 4,500 ops written straight to the log is rebuilt across log pages at any version")
  void bigRoom() {
    cluster = TestCluster.start(1);
    String room = room("big");
    int head = 4_500;
    cluster.block(cluster.pool().preparedQuery(
        "INSERT INTO ops (room, version, author, author_name, client_op_id, op, inverse, committed_at)"
            + " SELECT $1, v, 'guest-bulk', 'bulk', 'op-' || v, CASE WHEN v = 1"
            + " THEN '{\"kind\":\"create_shape\",\"shape\":{\"id\":\"s\",\"type\":\"rect\",\"x\":0,\"y\":0}}'::jsonb"
            + " ELSE jsonb_build_object('kind', 'move_shape', 'id', 's', 'x', v, 'y', v * 0.5) END,"
            + " '{\"kind\":\"delete_shape\",\"id\":\"s\"}'::jsonb, now() FROM generate_series(1, $2) AS v")
        .execute(Tuple.of(room, head)));
    cluster.block(cluster.pool().preparedQuery("INSERT INTO rooms (id, head) VALUES ($1, $2)")
        .execute(Tuple.of(room, head)));

    List<JsonNode> events = ops(pages(room, 1000));
    assertThat(events).hasSize(head);
    assertTimeTravel(room, events, 1, 2_000, 2_001, 4_321, 4_500);
    JsonNode at = get(cluster, 0, "/v1/rooms/" + room + "/state?version=4321").json();
    assertThat(at.path("state").path("shapes").get(0).path("x").asLong()).isEqualTo(4321);
    assertError(get(cluster, 0, "/v1/rooms/" + room + "/state?version=4501"), 404, "not_found");
  }
}
