package io.flowstate.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A running FlowState deployment reached through its load balancer, {@code FLOWSTATE_URL} (e.g.
 * {@code http://127.0.0.1:18080} from infra/local-cluster.sh, or {@code http://localhost:8080} for
 * docker compose). Tests that need it skip, loudly, when it is unset. Its processes are known only
 * from a local-cluster state dir ({@code FLOWSTATE_CLUSTER_DIR}).
 */
final class Topology {
  static final Duration WAIT = Duration.ofSeconds(20);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final URI base;

  private Topology(URI base) {
    this.base = base;
  }

  /** The deployment under test, or a skipped test (with a printed reason) when none is configured. */
  static Topology fromEnv() {
    String url = System.getenv("FLOWSTATE_URL");
    if (url == null || url.isBlank()) {
      skip("FLOWSTATE_URL is not set: no running deployment to test. Start one with "
          + "`infra/local-cluster.sh up` and run `FLOWSTATE_URL=http://127.0.0.1:18080 ./mvnw -B -Plocal-cluster "
          + "-DskipTests verify` (or `docker compose up` and FLOWSTATE_URL=http://localhost:8080)");
    }
    Topology topology = new Topology(URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url));
    int status = topology.status("/health/ready");
    assertThat(status).as("GET " + url + "/health/ready through the load balancer").isEqualTo(200);
    return topology;
  }

  static void skip(String reason) {
    System.out.println("\n*** SKIPPED (deploy tests): " + reason + "\n");
    Assumptions.abort(reason);
  }

  /** The local-cluster state dir with pids/gateway-N.pid, or a skipped test. */
  static Path clusterDir() {
    String dir = System.getenv("FLOWSTATE_CLUSTER_DIR");
    if (dir == null || dir.isBlank() || !Files.isDirectory(Path.of(dir, "pids"))) {
      skip("FLOWSTATE_CLUSTER_DIR (an infra/local-cluster.sh state dir) is not set or has no pids/: "
          + "this test must signal gateway processes behind the load balancer");
    }
    return Path.of(dir);
  }

  int status(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new AssertionError("GET " + base + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  JsonNode post(String path, String token, Map<String, Object> body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(Json.MAPPER.valueToTree(body))));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("POST %s: %s", path, response.body()).isBetween(200, 299);
      return Json.parse(response.body());
    } catch (IOException e) {
      throw new AssertionError("POST " + base + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A fresh local account (unique email); its access token. */
  Account signUp(String name) {
    String email = name + "-" + UUID.randomUUID().toString().substring(0, 8) + "@deploy.test";
    JsonNode answer = post("/v1/auth/signup", null,
        Map.of("email", email, "password", "correct horse battery", "name", name));
    return new Account(answer.path("user").path("id").asText(), email, answer.path("accessToken").asText());
  }

  /** A new canvas owned by {@code owner} with {@code editors} added as workspace editors; its id (the room). */
  String canvas(Account owner, Account... editors) {
    String workspace = post("/v1/workspaces", owner.token(), Map.of("name", "deploy test")).path("id").asText();
    for (Account editor : editors) {
      post("/v1/workspaces/" + workspace + "/members", owner.token(), Map.of("email", editor.email(), "role", "editor"));
    }
    return post("/v1/workspaces/" + workspace + "/canvases", owner.token(), Map.of("name", "deploy canvas"))
        .path("id").asText();
  }

  LbSocket connect(Account account) {
    String ws = base.toString().replaceFirst("^http", "ws") + "/v1/ws?access_token=" + account.token();
    return LbSocket.open(URI.create(ws));
  }

  /**
   * Opens sockets for {@code account} until one lands on a gateway other than {@code avoid}'s
   * (the balancer decides; least_conn alternates), closing the others.
   */
  LbSocket connectElsewhere(Account account, String avoidGateway) {
    List<LbSocket> extra = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        LbSocket socket = connect(account);
        if (!socket.gateway().equals(avoidGateway)) {
          return socket;
        }
        extra.add(socket);
      }
      throw new AssertionError("10 connections through " + base + " all landed on " + avoidGateway
          + ": is more than one gateway behind the load balancer?");
    } finally {
      extra.forEach(LbSocket::close);
    }
  }

  static ObjectNode join(String room, Long since) {
    ObjectNode frame = Json.object().put("type", "join").put("room", room).put("rid", "join-" + room);
    if (since != null) {
      frame.put("since", since);
    }
    return frame;
  }

  static ObjectNode op(String room, String id, JsonNode op) {
    ObjectNode frame = Json.object().put("type", "op").put("room", room).put("id", id).put("rid", "r-" + id);
    frame.set("op", op);
    return frame;
  }

  static ObjectNode createRect(String shapeId, double x, double y) {
    ObjectNode shape = Json.object().put("id", shapeId).put("type", "rect").put("x", x).put("y", y)
        .put("w", 10).put("h", 10);
    ObjectNode op = Json.object().put("kind", "create_shape");
    op.set("shape", shape);
    return op;
  }

  static ObjectNode move(String shapeId, double x, double y) {
    return Json.object().put("kind", "move_shape").put("id", shapeId).put("x", x).put("y", y);
  }

  static Map<String, Object> map(Object... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return map;
  }

  /** A signed-up user. */
  record Account(String id, String email, String token) {
  }
}
