package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.embedded.EmbeddedRedisServer;
import io.flowstate.gateway.GatewayVerticle;
import io.flowstate.sequencer.SequencerVerticle;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.config.SequencerConfig;
import io.flowstate.testkit.Await;
import io.flowstate.testkit.TestInfra;
import io.flowstate.testkit.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Server bugs that {@link FuzzTest} found, each reduced to the frames that show it, kept as
 * regression tests: NUL characters and unpaired surrogates in ids and op strings (PostgreSQL cannot
 * store the first; both broke group commits or made distinct ids collide), a join superseded at
 * once by a leave, and a join during a Redis outage. Frames are written as JSON text so that
 * escapes reach the server as is.
 *
 * <p>One more found bug has no test here because it needs a race: {@code RoomFeed.fanOut} asked a
 * member whose peer had already sent a close frame (close handler not run yet) whether it was
 * congested, and Vert.x threw IllegalStateException "WebSocket is closed" in the middle of the
 * fan-out. FuzzTest fails on any exception that escapes to the gateway's event loop.
 */
@DisplayName("Inputs that FuzzTest found mishandled are handled")
class KnownBugsTest {
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static JsonNode replyTo(WsTestClient client, String rid, String frame) {
    client.send(frame);
    return client.await(f -> rid.equals(f.path("rid").asText(null)), WAIT);
  }

  private static String createText(String room, String opId, String rid, String shapeId, String jsonText) {
    return "{\"type\":\"op\",\"room\":\"" + room + "\",\"id\":\"" + opId + "\",\"rid\":\"" + rid + "\",\"op\":"
        + "{\"kind\":\"create_shape\",\"shape\":{\"id\":\"" + shapeId + "\",\"type\":\"text\",\"x\":1,\"y\":2,"
        + "\"text\":" + jsonText + "}}}";
  }

  @Test
  @DisplayName("a NUL character in an op string is refused as invalid_op, not as a retryable error")
  void nulInOpText() {
    cluster = TestCluster.start(1);
    String room = "nul-" + cluster.prefix;
    WsTestClient client = cluster.connect(0, "client");
    TestCluster.join(client, room, null);
    JsonNode first = replyTo(client, "n0", createText(room, "n0", "n0", "t0", "\"a\\u0000b\""));
    assertThat(first.path("code").asText()).as("reply to a NUL in shape text: %s", first).isEqualTo("invalid_op");
    JsonNode retry = replyTo(client, "n0-again", createText(room, "n0", "n0-again", "t0", "\"a\\u0000b\""));
    assertThat(retry.path("code").asText()).as("reply to the retry: %s", retry).isNotEqualTo("unavailable");
  }

  @Test
  @DisplayName("ops with a NUL character never make valid ops of another room fail")
  void nulOpsPoisonOtherRooms() {
    cluster = TestCluster.start(1, b -> b.opsRate(new GatewayConfig.Rate(10_000, 10_000)));
    String room = "nul-" + cluster.prefix;
    String other = "victim-" + cluster.prefix;
    WsTestClient attacker = cluster.connect(0, "attacker");
    WsTestClient victim = cluster.connect(0, "victim");
    TestCluster.join(attacker, room, null);
    TestCluster.join(victim, other, null);
    int n = 300;
    for (int i = 1; i <= n; i++) {
      attacker.send(createText(room, "n" + i, "n" + i, "t" + i, "\"a\\u0000b\""));
      TestCluster.sendOp(victim, other, "v" + i, TestCluster.createRect("s" + i, i, i));
    }
    List<String> victimErrors = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String id = "v" + i;
      JsonNode outcome = victim.await(f -> id.equals(f.path("id").asText(null)), WAIT);
      if (!"op".equals(outcome.path("type").asText())) {
        victimErrors.add(outcome.toString());
      }
    }
    System.out.printf("KnownBugsTest: %d of %d valid ops in another room failed next to NUL ops; first: %s%n",
        victimErrors.size(), n, victimErrors.isEmpty() ? "-" : victimErrors.get(0));
    assertThat(victimErrors).as("valid ops in another room that shared a group commit with the NUL ops")
        .isEmpty();
  }

  @Test
  @DisplayName("a guest whose display name holds a NUL character can commit ops (or is refused at the handshake)")
  void nulInGuestName() {
    cluster = TestCluster.start(1);
    String room = "nulname-" + cluster.prefix;
    WsTestClient nul = WsTestClient.connect(cluster.vertx, cluster.port(0), "/v1/ws?guest=nul&name=x%00y", Map.of());
    assertThat(nul.next(WAIT).path("type").asText()).isEqualTo("welcome");
    TestCluster.join(nul, room, null);
    TestCluster.sendOp(nul, room, "o1", TestCluster.createRect("s", 1, 1));
    JsonNode outcome = nul.await(f -> "o1".equals(f.path("id").asText(null)), WAIT);
    assertThat(outcome.path("type").asText()).as("outcome: %s", outcome).isEqualTo("op");
  }

  @Test
  @DisplayName("a room id holding a NUL character is bad_request, not a retryable error")
  void nulInRoomId() {
    cluster = TestCluster.start(1);
    WsTestClient client = cluster.connect(0, "client");
    JsonNode reply = replyTo(client, "j", "{\"type\":\"join\",\"room\":\"x\\u0000y\",\"rid\":\"j\"}");
    assertThat(reply.path("type").asText()).isEqualTo("error");
    assertThat(reply.path("code").asText()).as("reply: %s", reply).isEqualTo("bad_request");
  }

  @Test
  @DisplayName("a room id with an unpaired surrogate is refused, and never shares ops with another room")
  void loneSurrogateRoomId() {
    cluster = TestCluster.start(1, b -> b.opTimeoutMs(2_000));
    String suffix = cluster.prefix;
    WsTestClient lone = cluster.connect(0, "lone");
    WsTestClient question = cluster.connect(0, "question");
    TestCluster.join(question, "?" + suffix, null);
    JsonNode joined = replyTo(lone, "j", "{\"type\":\"join\",\"room\":\"\\ud800" + suffix + "\",\"rid\":\"j\"}");
    if ("joined".equals(joined.path("type").asText())) {
      lone.send("{\"type\":\"op\",\"room\":\"\\ud800" + suffix + "\",\"id\":\"o1\",\"rid\":\"r-o1\",\"op\":"
          + "{\"kind\":\"create_shape\",\"shape\":{\"id\":\"s\",\"type\":\"rect\",\"x\":1,\"y\":2}}}");
      JsonNode outcome = lone.await(f -> "o1".equals(f.path("id").asText(null)), WAIT);
      assertThat(outcome.path("type").asText()).as("the submitter's own op event: %s", outcome).isEqualTo("op");
      TestCluster.sendOp(question, "?" + suffix, "q1", TestCluster.createRect("q", 0, 0));
      JsonNode questionOp = question.next("op", WAIT);
      assertThat(questionOp.path("id").asText()).as("room ?x sees only its own ops").isEqualTo("q1");
      assertThat(questionOp.path("version").asLong()).isEqualTo(1);
    } else {
      assertThat(joined.path("code").asText()).isEqualTo("bad_request");
    }
  }

  @Test
  @DisplayName("two different client op ids with unpaired surrogates are two ops (or both are refused)")
  void loneSurrogateOpIds() {
    cluster = TestCluster.start(1);
    String room = "loneid-" + cluster.prefix;
    WsTestClient client = cluster.connect(0, "client");
    TestCluster.join(client, room, null);
    client.send("{\"type\":\"op\",\"room\":\"" + room + "\",\"id\":\"\\ud800\",\"rid\":\"first\",\"op\":"
        + "{\"kind\":\"create_shape\",\"shape\":{\"id\":\"s1\",\"type\":\"rect\",\"x\":1,\"y\":2}}}");
    JsonNode first = client.await(f -> "first".equals(f.path("rid").asText(null))
        || "op".equals(f.path("type").asText()), WAIT);
    client.send("{\"type\":\"op\",\"room\":\"" + room + "\",\"id\":\"\\ud801\",\"rid\":\"second\",\"op\":"
        + "{\"kind\":\"create_shape\",\"shape\":{\"id\":\"s2\",\"type\":\"rect\",\"x\":3,\"y\":4}}}");
    JsonNode second = client.await(f -> "second".equals(f.path("rid").asText(null))
        || "op".equals(f.path("type").asText()) && f != first, WAIT);
    if ("op".equals(first.path("type").asText())) {
      assertThat(second.path("type").asText()).as("a different op id is a different op: %s", second)
          .isEqualTo("op");
      assertThat(second.path("version").asLong()).isEqualTo(2);
    } else {
      assertThat(first.path("code").asText()).isEqualTo("bad_request");
      assertThat(second.path("code").asText()).isEqualTo("bad_request");
    }
  }

  @Test
  @DisplayName("a join during a Redis outage is answered (joined or unavailable), and the room is joinable once "
      + "Redis is back")
  void joinDuringRedisOutage() throws Exception {
    EmbeddedRedisServer redis = TestInfra.privateRedis();
    Vertx vertx = Vertx.vertx();
    try {
      String pgUrl = TestInfra.pgUrl();
      String prefix = "outage" + UUID.randomUUID().toString().substring(0, 8);
      await(vertx.deployVerticle(new SequencerVerticle(
          SequencerConfig.builder().stores(redis.url(), pgUrl).redisPrefix(prefix).guestAccess(true).build())));
      GatewayVerticle gateway = new GatewayVerticle(GatewayConfig.builder().gatewayId(prefix + "-gw")
          .http("127.0.0.1", 0).stores(redis.url(), pgUrl).redisPrefix(prefix).guestAccess(true).build());
      await(vertx.deployVerticle(gateway));
      String room = "room-" + prefix;
      WsTestClient early = WsTestClient.connect(vertx, gateway.port(), "/v1/ws?guest=early", Map.of());
      early.next(WAIT);

      redis.stop();
      HttpClient http = vertx.createHttpClient();
      Await.until(vertx, () -> await(http.request(HttpMethod.GET, gateway.port(), "127.0.0.1", "/health/ready")
          .compose(req -> req.send()).map(HttpClientResponse::statusCode)) == 503, WAIT, "not ready");
      early.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"rid\":\"during\"}");
      String during = replyOrNothing(early, "during");

      redis.restart();
      Await.until(vertx, () -> await(http.request(HttpMethod.GET, gateway.port(), "127.0.0.1", "/health/ready")
          .compose(req -> req.send()).map(HttpClientResponse::statusCode)) == 200, WAIT, "ready again");
      WsTestClient later = WsTestClient.connect(vertx, gateway.port(), "/v1/ws?guest=later", Map.of());
      later.next(WAIT);
      later.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"rid\":\"after\"}");
      String after = replyOrNothing(later, "after");
      assertThat("during: " + during + ", after: " + after)
          .as("replies to a join during the outage and to one after it, while the first joiner is still connected")
          .matches("during: (joined|error unavailable), after: joined");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      redis.close();
    }
  }

  /** "joined", "error CODE", or "no reply" when nothing echoing {@code rid} came within 10 s. */
  private static String replyOrNothing(WsTestClient client, String rid) {
    try {
      JsonNode reply = client.await(f -> rid.equals(f.path("rid").asText(null)), Duration.ofSeconds(10));
      return reply.path("type").asText() + (reply.has("code") ? " " + reply.path("code").asText() : "");
    } catch (AssertionError e) {
      return "no reply";
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("operation did not complete: " + e, e);
    }
  }

  @Test
  @DisplayName("a join superseded by a leave is never answered with a retryable error")
  void joinThenLeave() {
    cluster = TestCluster.start(1);
    String room = "jl-" + cluster.prefix;
    WsTestClient client = cluster.connect(0, "client");
    TestCluster.join(client, room, null);
    client.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"rid\":\"j1\"}");
    client.send("{\"type\":\"leave\",\"room\":\"" + room + "\",\"rid\":\"l1\"}");
    client.await(f -> "l1".equals(f.path("rid").asText(null)), WAIT);
    // The answer to the superseded join comes after the same Redis and PostgreSQL round trips as
    // that of a join sent after it, on the same links: when this one is answered, so was that.
    client.send("{\"type\":\"join\",\"room\":\"" + room + "-probe\",\"rid\":\"j2\"}");
    client.await(f -> "j2".equals(f.path("rid").asText(null)), WAIT);
    List<JsonNode> joinReplies = client.all().stream().filter(f -> "j1".equals(f.path("rid").asText(null))).toList();
    assertThat(joinReplies).as("replies to the superseded join")
        .noneMatch(f -> "unavailable".equals(f.path("code").asText(null)));
  }

  @Test
  @DisplayName("a join of a room new to the gateway, superseded at once by a leave, is never answered with a "
      + "retryable error, and the room can be joined right after")
  void joinThenLeaveOfNewRoom() {
    cluster = TestCluster.start(1);
    String room = "jl-new-" + cluster.prefix;
    WsTestClient client = cluster.connect(0, "client");
    client.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"rid\":\"j1\"}");
    client.send("{\"type\":\"leave\",\"room\":\"" + room + "\",\"rid\":\"l1\"}");
    client.await(f -> "l1".equals(f.path("rid").asText(null)), WAIT);
    client.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"rid\":\"j2\"}");
    JsonNode again = client.await(f -> "j2".equals(f.path("rid").asText(null)), WAIT);
    assertThat(again.path("type").asText()).as("the join after the leave: %s", again).isEqualTo("joined");
    List<JsonNode> joinReplies = client.all().stream().filter(f -> "j1".equals(f.path("rid").asText(null))).toList();
    assertThat(joinReplies).as("replies to the superseded join")
        .noneMatch(f -> "unavailable".equals(f.path("code").asText(null)));
  }
}
