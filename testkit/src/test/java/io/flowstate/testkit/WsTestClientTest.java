package io.flowstate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.protocol.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class WsTestClientTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Map<String, String> AUTH = Map.of("Authorization", "Bearer ok");
  private static final int BIG_CHARS = 2 * 1024 * 1024;

  private int port;

  /** Greets, echoes text, and closes or sends a big frame on request; 401 without the header. */
  @BeforeEach
  void startEchoServer(Vertx vertx, VertxTestContext ctx) {
    HttpServer server = vertx.createHttpServer()
        .webSocketHandshakeHandler(this::authorize)
        .webSocketHandler(this::echo);
    server.listen(0, "127.0.0.1").onComplete(ctx.succeeding(s -> {
      port = s.actualPort();
      ctx.completeNow();
    }));
  }

  private void authorize(ServerWebSocketHandshake handshake) {
    if (!"/ws".equals(handshake.path())) {
      handshake.reject(404);
    } else if (!"Bearer ok".equals(handshake.headers().get("Authorization"))) {
      handshake.reject(401);
    } else {
      handshake.accept();
    }
  }

  private void echo(ServerWebSocket ws) {
    ws.writeTextMessage("{\"type\":\"hello\",\"query\":\"" + ws.query() + "\"}");
    ws.textMessageHandler(text -> {
      switch (text) {
        case "close-me" -> ws.close((short) 4001, "asked to");
        case "big" -> ws.writeTextMessage(
            Json.write(Json.object().put("type", "big").put("blob", "x".repeat(BIG_CHARS))));
        default -> ws.writeTextMessage(text);
      }
    });
  }

  @Test
  @DisplayName("frames are consumed in arrival order, by type, and all of them stay visible")
  void readsInOrder(Vertx vertx) {
    try (WsTestClient ws = WsTestClient.connect(vertx, port, "/ws?room=r1", AUTH)) {
      assertThat(ws.next("hello", WAIT).path("query").asText()).isEqualTo("room=r1");

      ws.send(Json.object().put("type", "a").put("n", 1));
      ws.send(Json.object().put("type", "b"));
      ws.send(Json.object().put("type", "a").put("n", 2));

      assertThat(ws.next("b", WAIT).path("type").asText()).isEqualTo("b");
      assertThat(ws.next(WAIT).path("n").asInt()).isEqualTo(2);
      assertThat(ws.all()).extracting(f -> f.path("type").asText())
          .containsExactly("hello", "a", "b", "a");
      JsonNode skipped = ws.await(f -> f.path("n").asInt() == 1, WAIT);
      assertThat(skipped.path("type").asText()).isEqualTo("a");
    }
  }

  @Test
  @DisplayName("a malformed frame goes out verbatim and its echo is kept as text")
  void sendsVerbatim(Vertx vertx) {
    try (WsTestClient ws = WsTestClient.connect(vertx, port, "/ws", AUTH)) {
      ws.next("hello", WAIT);
      ws.send("{\"type\": oops");
      JsonNode echoed = ws.next(WAIT);
      assertThat(echoed.isTextual()).isTrue();
      assertThat(echoed.asText()).isEqualTo("{\"type\": oops");
    }
  }

  @Test
  @DisplayName("await sees frames that arrive later, and a timeout lists what was received")
  void awaitAndTimeouts(Vertx vertx) {
    try (WsTestClient ws = WsTestClient.connect(vertx, port, "/ws", AUTH)) {
      ws.send(Json.object().put("type", "late"));
      assertThat(ws.await(f -> "late".equals(f.path("type").asText()), WAIT)).isNotNull();

      assertThatThrownBy(() -> ws.next("never", Duration.ofMillis(200)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("\"never\"")
          .hasMessageContaining("received 2 frame(s)")
          .hasMessageContaining("\"type\":\"hello\"")
          .hasMessageContaining("\"type\":\"late\"");
      assertThatThrownBy(() -> ws.await(f -> false, Duration.ofMillis(100)))
          .isInstanceOf(AssertionError.class);
    }
  }

  @Test
  @DisplayName("frames far above Vert.x's default 64 KiB frame limit are received whole")
  void bigFrames(Vertx vertx) {
    try (WsTestClient ws = WsTestClient.connect(vertx, port, "/ws", AUTH)) {
      ws.send("big");
      assertThat(ws.next("big", WAIT).path("blob").asText()).hasSize(BIG_CHARS);
    }
  }

  @Test
  @DisplayName("awaitClose returns the server's close code and reads then fail fast")
  void serverClose(Vertx vertx) {
    try (WsTestClient ws = WsTestClient.connect(vertx, port, "/ws", AUTH)) {
      ws.next("hello", WAIT);
      assertThat(ws.isClosed()).isFalse();
      ws.send("close-me");
      assertThat(ws.awaitClose(WAIT)).isEqualTo(4001);
      assertThat(ws.isClosed()).isTrue();
      assertThat(ws.closeReason()).isEqualTo("asked to");
      assertThatThrownBy(() -> ws.next(Duration.ofSeconds(30)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("closed with 4001");
    }
  }

  @Test
  @DisplayName("a refused upgrade reports its HTTP status, and connect fails naming it")
  void rejectedUpgrade(Vertx vertx) {
    assertThat(WsTestClient.rejectionStatus(vertx, port, "/ws", Map.of())).isEqualTo(401);
    assertThat(WsTestClient.rejectionStatus(vertx, port, "/elsewhere", AUTH)).isEqualTo(404);
    assertThatThrownBy(() -> WsTestClient.connect(vertx, port, "/ws", Map.of("Authorization", "x")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("HTTP 401");
    assertThatThrownBy(() -> WsTestClient.rejectionStatus(vertx, port, "/ws", AUTH))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("but it succeeded");
  }
}
