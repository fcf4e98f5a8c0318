package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.Json;
import io.flowstate.testkit.WsTestClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Token authentication at the WebSocket handshake")
class TokenAuthTest extends ClusterTest {
  private static final String SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789";
  private static final GatewayConfig.Jwt HS256 = GatewayConfig.Jwt.hs256(SECRET, "https://id.example", "flowstate");

  private JWTAuth signer(String algorithm, String key) {
    return JWTAuth.create(cluster.vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(key)));
  }

  private static String token(JWTAuth signer, String algorithm, String sub, String issuer, String audience,
      int expiresInSeconds) {
    JWTOptions options = new JWTOptions().setAlgorithm(algorithm).setExpiresInSeconds(expiresInSeconds);
    if (issuer != null) {
      options.setIssuer(issuer);
    }
    if (audience != null) {
      options.setAudience(List.of(audience));
    }
    return signer.generateToken(new JsonObject().put("sub", sub).put("name", "Ada " + sub), options);
  }

  private int status(String pathAndQuery, Map<String, String> headers) {
    return WsTestClient.rejectionStatus(cluster.vertx, cluster.port(0), pathAndQuery, headers);
  }

  @Test
  @DisplayName("missing, malformed, badly signed, expired, wrong-issuer and wrong-audience tokens get 401 before the "
      + "upgrade; a forbidden Origin gets 403; a valid token by header or query names the user")
  void matrix() {
    cluster = TestCluster.start(1, b -> b.guestAccess(false).jwt(HS256)
        .allowedOrigins(List.of("https://app.example")));
    JWTAuth good = signer("HS256", SECRET);
    JWTAuth forged = signer("HS256", "another-secret-that-is-long-enough-for-hs256-987654");
    String valid = token(good, "HS256", "u-1", "https://id.example", "flowstate", 60);

    assertThat(status("/v1/ws", Map.of())).as("no token").isEqualTo(401);
    assertThat(status("/v1/ws", Map.of("Authorization", "Bearer not.a.jwt"))).as("malformed").isEqualTo(401);
    assertThat(status("/v1/ws", Map.of("Authorization", "Bearer "
        + token(forged, "HS256", "u-1", "https://id.example", "flowstate", 60)))).as("bad signature").isEqualTo(401);
    assertThat(status("/v1/ws", Map.of("Authorization", "Bearer "
        + token(good, "HS256", "u-1", "https://id.example", "flowstate", -10)))).as("expired").isEqualTo(401);
    assertThat(status("/v1/ws", Map.of("Authorization", "Bearer "
        + token(good, "HS256", "u-1", "https://evil.example", "flowstate", 60)))).as("wrong issuer").isEqualTo(401);
    assertThat(status("/v1/ws", Map.of("Authorization", "Bearer "
        + token(good, "HS256", "u-1", "https://id.example", "other-app", 60)))).as("wrong audience").isEqualTo(401);
    assertThat(status("/v1/ws?guest=mallory", Map.of())).as("no guests in production").isEqualTo(401);
    assertThat(status("/v1/ws", Map.of("Authorization", "Bearer " + valid, "Origin", "https://evil.example")))
        .as("forbidden origin").isEqualTo(403);

    WsTestClient byHeader = WsTestClient.connect(cluster.vertx, cluster.port(0), "/v1/ws",
        Map.of("Authorization", "Bearer " + valid, "Origin", "https://app.example"));
    JsonNode welcome = byHeader.next(WAIT);
    assertThat(welcome.path("user").path("id").asText()).isEqualTo("u-1");
    assertThat(welcome.path("user").path("name").asText()).isEqualTo("Ada u-1");
    WsTestClient byQuery = WsTestClient.connect(cluster.vertx, cluster.port(0), "/v1/ws?access_token=" + valid,
        Map.of());
    assertThat(byQuery.next(WAIT).path("user").path("id").asText()).isEqualTo("u-1");
    cluster.grant("auth-" + cluster.prefix, "u-1", "editor");
    TestCluster.join(byQuery, "auth-" + cluster.prefix, null);
    TestCluster.sendOp(byQuery, "auth-" + cluster.prefix, "a1", TestCluster.createRect("s", 0, 0));
    assertThat(byQuery.next("op", WAIT).path("author").path("id").asText()).isEqualTo("u-1");
    byHeader.close();
    byQuery.close();

    var http = cluster.vertx.createHttpClient();
    String path = "/v1/rooms/auth-" + cluster.prefix + "/ops";
    int anonymous = cluster.block(http.request(io.vertx.core.http.HttpMethod.GET, cluster.port(0), "127.0.0.1", path)
        .compose(req -> req.send()).map(r -> r.statusCode()));
    assertThat(anonymous).as("history without a token").isEqualTo(401);
    int authorized = cluster.block(http.request(io.vertx.core.http.HttpMethod.GET, cluster.port(0), "127.0.0.1", path)
        .compose(req -> req.putHeader("Authorization", "Bearer " + valid).send()).map(r -> r.statusCode()));
    assertThat(authorized).as("history with a token").isEqualTo(200);
  }

  @Test
  @DisplayName("RS256 tokens from an identity provider verify against its public key")
  void rs256() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    String publicPem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    String privatePem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    cluster = TestCluster.start(1, b -> b.guestAccess(false)
        .jwt(GatewayConfig.Jwt.publicKey("RS256", publicPem, null, null)));
    String token = token(signer("RS256", privatePem), "RS256", "idp-7", null, null, 60);
    WsTestClient client = WsTestClient.connect(cluster.vertx, cluster.port(0), "/v1/ws",
        Map.of("Authorization", "Bearer " + token));
    assertThat(client.next(WAIT).path("user").path("id").asText()).isEqualTo("idp-7");
    client.close();
  }

  @Test
  @DisplayName("a connection whose token expires is closed with 1008 unless the client refreshes it in time")
  void expiryAndRefresh() {
    cluster = TestCluster.start(1, b -> b.guestAccess(false).jwt(HS256).heartbeat(100, 5_000));
    JWTAuth good = signer("HS256", SECRET);
    WsTestClient expiring = WsTestClient.connect(cluster.vertx, cluster.port(0), "/v1/ws",
        Map.of("Authorization", "Bearer " + token(good, "HS256", "u-2", "https://id.example", "flowstate", 2)));
    WsTestClient refreshing = WsTestClient.connect(cluster.vertx, cluster.port(0), "/v1/ws",
        Map.of("Authorization", "Bearer " + token(good, "HS256", "u-3", "https://id.example", "flowstate", 2)));
    refreshing.send(Json.object().put("type", "refresh").put("rid", "r1")
        .put("token", token(good, "HS256", "u-3", "https://id.example", "flowstate", 60)));
    assertThat(refreshing.next("refreshed", WAIT).path("rid").asText()).isEqualTo("r1");
    refreshing.send(Json.object().put("type", "refresh").put("rid", "r2")
        .put("token", token(good, "HS256", "someone-else", "https://id.example", "flowstate", 60)));
    JsonNode refused = refreshing.next("error", WAIT);
    assertThat(refused.path("code").asText()).isEqualTo("forbidden");
    assertThat(refused.path("rid").asText()).isEqualTo("r2");

    assertThat(expiring.awaitClose(WAIT)).isEqualTo(1008);
    assertThat(refreshing.isClosed()).isFalse();
    refreshing.close();
  }
}
