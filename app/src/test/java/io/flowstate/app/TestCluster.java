package io.flowstate.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.gateway.GatewayVerticle;
import io.flowstate.sequencer.SequencerVerticle;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.config.SequencerConfig;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.store.Database;
import io.flowstate.testkit.TestInfra;
import io.flowstate.testkit.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A real FlowState topology inside the test JVM: one sequencer and N gateways (own HTTP ports)
 * against real Redis and a fresh PostgreSQL database, with a channel prefix of its own so that
 * concurrent clusters on one Redis never see each other. Blocking helpers are for the test thread.
 */
final class TestCluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);

  final Vertx vertx = Vertx.vertx();
  final String redisUrl = TestInfra.redisUrl();
  final String pgUrl = TestInfra.pgUrl();
  final String prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
  final List<GatewayVerticle> gateways = new ArrayList<>();
  private final List<String> gatewayDeployments = new ArrayList<>();
  private final List<WsTestClient> clients = new ArrayList<>();
  private String sequencerDeployment;
  private SequencerVerticle sequencer;
  private Pool pool;
  private UnaryOperator<SequencerConfig.Builder> sequencerTweak = b -> b;

  static TestCluster start(int gatewayCount) {
    return start(gatewayCount, b -> b);
  }

  static TestCluster start(int gatewayCount, UnaryOperator<GatewayConfig.Builder> tweak) {
    return start(gatewayCount, tweak, b -> b);
  }

  static TestCluster start(int gatewayCount, UnaryOperator<GatewayConfig.Builder> tweak,
      UnaryOperator<SequencerConfig.Builder> sequencerTweak) {
    TestCluster cluster = new TestCluster();
    cluster.sequencerTweak = sequencerTweak;
    cluster.startSequencer();
    for (int i = 0; i < gatewayCount; i++) {
      cluster.startGateway(tweak);
    }
    return cluster;
  }

  /**
   * Like {@link #start(int)} but both services run in Redis Cluster mode against {@code seeds}
   * (comma-separated node URLs, e.g. a private {@code EmbeddedRedisCluster}'s).
   */
  static TestCluster startOnRedisCluster(int gatewayCount, String seeds) {
    TestCluster cluster = new TestCluster();
    cluster.sequencerTweak = b -> b.stores(seeds, cluster.pgUrl)
        .redisMode(io.flowstate.shared.config.RedisMode.CLUSTER);
    cluster.startSequencer();
    for (int i = 0; i < gatewayCount; i++) {
      cluster.startGateway(b -> b.stores(seeds, cluster.pgUrl).redisMode(io.flowstate.shared.config.RedisMode.CLUSTER));
    }
    return cluster;
  }

  SequencerConfig sequencerConfig() {
    return sequencerTweak.apply(SequencerConfig.builder().stores(redisUrl, pgUrl).redisPrefix(prefix)
        .guestAccess(true)).build();
  }

  void startSequencer() {
    sequencer = new SequencerVerticle(sequencerConfig());
    sequencerDeployment = block(vertx.deployVerticle(sequencer));
  }

  void stopSequencer() {
    block(vertx.undeploy(sequencerDeployment));
    sequencer = null;
  }

  SequencerVerticle sequencer() {
    return sequencer;
  }

  GatewayVerticle startGateway(UnaryOperator<GatewayConfig.Builder> tweak) {
    GatewayConfig config = tweak.apply(GatewayConfig.builder()
        .gatewayId(prefix + "-gw" + gateways.size())
        .http("127.0.0.1", 0)
        .stores(redisUrl, pgUrl)
        .redisPrefix(prefix)
        .guestAccess(true)).build();
    GatewayVerticle gateway = new GatewayVerticle(config);
    gatewayDeployments.add(block(vertx.deployVerticle(gateway)));
    gateways.add(gateway);
    return gateway;
  }

  /** Undeploys a gateway: the graceful drain path (what SIGTERM runs). */
  Future<Void> stopGateway(int gateway) {
    return vertx.undeploy(gatewayDeployments.get(gateway));
  }

  int port(int gateway) {
    return gateways.get(gateway).port();
  }

  /** A connected client whose welcome frame was consumed; {@code guest} fixes its user id. */
  WsTestClient connect(int gateway, String guest) {
    WsTestClient client = WsTestClient.connect(vertx, port(gateway), "/v1/ws?guest=" + guest + "&name=" + guest,
        Map.of());
    JsonNode welcome = client.next(WAIT);
    if (!"welcome".equals(welcome.path("type").asText())) {
      throw new AssertionError("expected welcome, got " + welcome);
    }
    clients.add(client);
    return client;
  }

  /** Sends join and returns the joined frame. */
  static JsonNode join(WsTestClient client, String room, Long since) {
    var frame = Json.object().put("type", "join").put("room", room).put("rid", "join-" + room);
    if (since != null) {
      frame.put("since", since);
    }
    client.send(frame);
    return client.next("joined", WAIT);
  }

  static void sendOp(WsTestClient client, String room, String id, JsonNode op) {
    client.send(Json.object().put("type", "op").put("room", room).put("id", id).put("rid", "r-" + id).set("op", op));
  }

  static JsonNode createRect(String shapeId, double x, double y) {
    var shape = Json.object().put("id", shapeId).put("type", "rect").put("x", x).put("y", y).put("w", 10).put("h", 10);
    return Json.object().put("kind", "create_shape").set("shape", shape);
  }

  static JsonNode move(String shapeId, double x, double y) {
    return Json.object().put("kind", "move_shape").put("id", shapeId).put("x", x).put("y", y);
  }

  Pool pool() {
    if (pool == null) {
      pool = Database.pool(vertx, pgUrl, 2);
    }
    return pool;
  }

  /** Committed (visible) rows of a room's op log. */
  long opRows(String room) {
    return block(pool().preparedQuery("SELECT count(*) AS n FROM ops WHERE room = $1")
        .execute(io.vertx.sqlclient.Tuple.of(room))).iterator().next().getLong("n");
  }

  /**
   * Makes {@code room} a canvas on which {@code user} has {@code role}, directly in PostgreSQL
   * (a workspace of its own; accounts are created as needed). For tests about something else
   * than the account API.
   */
  void grant(String room, String user, String role) {
    String ws = "ws-" + room;
    block(pool().withTransaction(conn -> conn.query("INSERT INTO users (id, name, color) VALUES ('" + user + "', '"
            + user + "', '#000000') ON CONFLICT DO NOTHING").execute()
        .compose(r -> conn.query("INSERT INTO workspaces (id, name, created_by) VALUES ('" + ws + "', 'ws', '" + user
            + "') ON CONFLICT DO NOTHING").execute())
        .compose(r -> conn.query("INSERT INTO canvases (id, workspace_id, name, created_by) VALUES ('" + room + "', '"
            + ws + "', 'canvas', '" + user + "') ON CONFLICT DO NOTHING").execute())
        .compose(r -> conn.query("INSERT INTO workspace_members (workspace_id, user_id, role) VALUES ('" + ws + "', '"
            + user + "', '" + role + "') ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = EXCLUDED.role")
            .execute())));
  }

  /** A JSON HTTP response: status and parsed body (null when empty). */
  record Reply(int status, JsonNode body) {
    String code() {
      return body == null ? null : body.path("code").asText(null);
    }
  }

  private io.vertx.core.http.HttpClient http;

  /**
   * The cluster's HTTP client, held in a field for the cluster's lifetime (Vert.x 5 may close a
   * client that nothing references while its request is in flight). One connection per request:
   * a request occasionally got no answer in these tests (see docs/ARCHITECTURE.md).
   */
  io.vertx.core.http.HttpClient http() {
    if (http == null) {
      http = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setKeepAlive(false));
    }
    return http;
  }

  /** An HTTP request to a gateway with an optional bearer token and JSON body. */
  Reply call(int gateway, String method, String path, String token, Object body) {
    http();
    String payload = body == null ? null : body instanceof String str ? str : Json.write(Json.MAPPER.valueToTree(body));
    return block(http.request(io.vertx.core.http.HttpMethod.valueOf(method), port(gateway), "127.0.0.1", path)
        .compose(req -> {
          if (token != null) {
            req.putHeader("Authorization", "Bearer " + token);
          }
          if (payload != null) {
            req.putHeader("content-type", "application/json");
            return req.send(payload);
          }
          return req.send();
        })
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.length() == 0 ? null
            : String.valueOf(resp.getHeader("content-type")).startsWith("application/json") ? Json.parse(b.toString())
            : com.fasterxml.jackson.databind.node.TextNode.valueOf(b.toString())))));
  }

  /** Polls an asynchronous check on a Vert.x timer until it holds; fails after {@link #WAIT}. */
  void awaitTrue(String what, java.util.function.Supplier<Future<Boolean>> check) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    vertx.setPeriodic(0, 50, timer -> check.get().onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        vertx.cancelTimer(timer);
        done.tryComplete();
      } else if (System.currentTimeMillis() > deadline) {
        vertx.cancelTimer(timer);
        done.tryFail("timed out waiting until " + what);
      }
    }));
    block(done.future());
  }

  <T> T block(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      dumpThreads();
      throw new AssertionError("operation did not complete within " + WAIT + " (thread dump in the test output)", e);
    } catch (Exception e) {
      throw new AssertionError("operation did not complete: " + e, e);
    }
  }

  /** Prints every thread's stack, to diagnose an operation that never completed. */
  static void dumpThreads() {
    StringBuilder dump = new StringBuilder("=== thread dump after a timeout ===\n");
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
      for (StackTraceElement frame : stack) {
        dump.append("    at ").append(frame).append('\n');
      }
    });
    System.out.println(dump);
  }

  @Override
  public void close() {
    clients.forEach(c -> {
      try {
        c.close();
      } catch (RuntimeException ignored) {
        // already closed
      }
    });
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("cluster did not stop: " + e, e);
    }
  }
}
