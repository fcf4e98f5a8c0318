package io.flowstate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.embedded.EmbeddedRedisServer;
import io.flowstate.gateway.GatewayVerticle;
import io.flowstate.sequencer.SequencerVerticle;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.config.SequencerConfig;
import io.flowstate.shared.protocol.Json;
import io.flowstate.testkit.Await;
import io.flowstate.testkit.TestInfra;
import io.flowstate.testkit.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A sequencer and a gateway of our own against a Redis only this test uses, so that it can be
 * killed and brought back (empty, on the same port) without disturbing any other test.
 */
@DisplayName("Readiness follows Redis: down while it is gone, back by itself when it returns")
class ReadinessTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration OUTAGE_SEEN = Duration.ofSeconds(10);
  private static final Duration RECOVERY = Duration.ofSeconds(15);
  private static final Duration OUTAGE = Duration.ofSeconds(3);

  private final Vertx vertx = Vertx.vertx();
  private EmbeddedRedisServer redis;
  private WsTestClient client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  private <T> T block(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("operation did not complete: " + e, e);
    }
  }

  private int status(HttpClient http, int port, String path) {
    return block(http.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send())
        .map(HttpClientResponse::statusCode));
  }

  private String body(HttpClient http, int port, String path) {
    return block(http.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send())
        .compose(resp -> resp.body())
        .map(b -> b.toString()));
  }

  /** The first frame received at index {@code from} or later that matches; polls on Vert.x timers. */
  private JsonNode frameAfter(WsTestClient ws, int from, Predicate<JsonNode> wanted) {
    JsonNode[] found = new JsonNode[1];
    Await.until(vertx, () -> {
      List<JsonNode> all = ws.all();
      for (int i = from; i < all.size(); i++) {
        if (wanted.test(all.get(i))) {
          found[0] = all.get(i);
          return true;
        }
      }
      return false;
    }, WAIT, "a reply to the op");
    return found[0];
  }

  /**
   * Sends an op and re-sends it with the same id while it is answered {@code unavailable}, until
   * its op event (or the duplicate ack of a retry that raced a commit) arrives or the deadline passes.
   */
  private JsonNode commitWithRetries(WsTestClient ws, String room, String id, long deadline) {
    while (true) {
      int seen = ws.all().size();
      TestCluster.sendOp(ws, room, id, TestCluster.createRect("shape-" + id, 1, 1));
      JsonNode reply = frameAfter(ws, seen, f -> ("r-" + id).equals(f.path("rid").asText(null))
          || id.equals(f.path("id").asText(null)) && "op".equals(f.path("type").asText()));
      if (!"error".equals(reply.path("type").asText())) {
        assertThat(reply.path("type").asText()).as("the op event, or the duplicate ack of a retry: %s", reply)
            .isIn("op", "ack");
        return reply;
      }
      assertThat(reply.path("code").asText()).as("only a retryable error is acceptable: %s", reply)
          .isEqualTo("unavailable");
      assertThat(System.nanoTime()).as("op %s committed before the deadline", id).isLessThan(deadline);
    }
  }

  @Test
  @DisplayName("/health/ready is 200, turns 503 naming redis when Redis dies while /health/live stays 200 and "
      + "ops are refused as unavailable, returns to 200 within 15 s of Redis coming back, and then the retried "
      + "op and new clients' ops flow end to end, in order")
  void readyFollowsRedis() {
    redis = TestInfra.privateRedis();
    String pgUrl = TestInfra.pgUrl();
    String prefix = "ready" + UUID.randomUUID().toString().substring(0, 8);
    SequencerConfig sequencerConfig = SequencerConfig.builder().stores(redis.url(), pgUrl).redisPrefix(prefix).guestAccess(true).build();
    block(vertx.deployVerticle(new SequencerVerticle(sequencerConfig)));
    GatewayVerticle gateway = new GatewayVerticle(GatewayConfig.builder()
        .gatewayId(prefix + "-gw")
        .http("127.0.0.1", 0)
        .stores(redis.url(), pgUrl)
        .redisPrefix(prefix)
        .guestAccess(true)
        .build());
    block(vertx.deployVerticle(gateway));
    int port = gateway.port();
    HttpClient http = vertx.createHttpClient();

    assertThat(status(http, port, "/health/live")).isEqualTo(200);
    assertThat(status(http, port, "/health/ready")).isEqualTo(200);
    assertThat(Json.parse(body(http, port, "/health/ready")).path("status").asText()).isEqualTo("UP");

    String room = "outage-" + prefix;
    client = connect(port, "veteran");
    client.send(Json.object().put("type", "join").put("room", room).put("rid", "j"));
    assertThat(client.next("joined", WAIT).path("version").asLong()).isZero();
    TestCluster.sendOp(client, room, "before", TestCluster.createRect("s0", 0, 0));
    assertThat(client.next("op", WAIT).path("version").asLong()).isEqualTo(1);

    redis.stop();
    long stopped = System.nanoTime();
    Await.until(vertx, () -> status(http, port, "/health/ready") == 503, OUTAGE_SEEN,
        "/health/ready answers 503 after Redis was killed");
    System.out.printf("ReadinessTest: not ready %d ms after Redis was killed%n",
        (System.nanoTime() - stopped) / 1_000_000);
    JsonNode down = Json.parse(body(http, port, "/health/ready"));
    assertThat(down.path("status").asText()).isEqualTo("DOWN");
    assertThat(down.path("checks").path("redis").asBoolean(true)).as("the failing check is named: %s", down)
        .isFalse();
    assertThat(down.path("checks").path("postgres").asBoolean(false)).as("PostgreSQL is still fine: %s", down)
        .isTrue();
    assertThat(status(http, port, "/health/live")).as("a process that serves HTTP is live").isEqualTo(200);

    int seen = client.all().size();
    TestCluster.sendOp(client, room, "during", TestCluster.createRect("s1", 1, 1));
    JsonNode refused = frameAfter(client, seen, f -> "r-during".equals(f.path("rid").asText(null)));
    assertThat(refused.path("type").asText()).isEqualTo("error");
    assertThat(refused.path("code").asText()).isEqualTo("unavailable");
    assertThat(refused.path("id").asText()).isEqualTo("during");
    assertThat(client.isClosed()).as("the client stays connected through the outage").isFalse();

    // Keep Redis down for a while, so that the services' reconnect attempts back off, and check
    // that readiness never flaps to 200 meanwhile.
    long outageEnds = System.nanoTime() + OUTAGE.toNanos();
    Await.until(vertx, () -> {
      assertThat(status(http, port, "/health/ready")).as("not ready while Redis is down").isEqualTo(503);
      return System.nanoTime() >= outageEnds;
    }, OUTAGE.plus(WAIT), "the outage has lasted " + OUTAGE);

    redis.restart();
    long restarted = System.nanoTime();
    Await.until(vertx, () -> status(http, port, "/health/ready") == 200, RECOVERY,
        "/health/ready answers 200 again after Redis came back");
    System.out.printf("ReadinessTest: Redis down for %d ms; ready again %d ms after it restarted%n",
        (restarted - stopped) / 1_000_000, (System.nanoTime() - restarted) / 1_000_000);
    assertThat(status(http, port, "/health/live")).isEqualTo(200);

    // The sequencer's links come back on their own backoff; until its shard subscription is back a
    // submission is answered unavailable, and the client retries with the same id, as documented.
    long deadline = restarted + RECOVERY.toNanos();
    JsonNode retried = commitWithRetries(client, room, "during", deadline);
    assertThat(retried.path("version").asLong()).isEqualTo(2);
    System.out.printf("ReadinessTest: the op refused during the outage committed %d ms after Redis restarted%n",
        (System.nanoTime() - restarted) / 1_000_000);

    WsTestClient newcomer = connect(port, "newcomer");
    try {
      newcomer.send(Json.object().put("type", "join").put("room", room).put("rid", "j2"));
      JsonNode joined = newcomer.next("joined", WAIT);
      assertThat(joined.path("version").asLong()).isEqualTo(2);
      assertThat(joined.path("snapshot").path("state").path("shapes").size()).isEqualTo(2);
      TestCluster.sendOp(newcomer, room, "after", TestCluster.createRect("s2", 2, 2));
      assertThat(newcomer.next("op", WAIT).path("version").asLong()).isEqualTo(3);
    } finally {
      newcomer.close();
    }
    List<Long> versions = new java.util.ArrayList<>();
    Await.until(vertx, () -> {
      versions.clear();
      client.all().stream().filter(f -> "op".equals(f.path("type").asText()))
          .forEach(f -> versions.add(f.path("version").asLong()));
      return versions.contains(3L);
    }, WAIT, "the veteran client sees the newcomer's op");
    assertThat(versions).as("every op event once, in order, no gap").containsExactly(1L, 2L, 3L);
  }

  private WsTestClient connect(int port, String guest) {
    WsTestClient ws = WsTestClient.connect(vertx, port, "/v1/ws?guest=" + guest + "&name=" + guest, Map.of());
    assertThat(ws.next(WAIT).path("type").asText()).isEqualTo("welcome");
    return ws;
  }
}
