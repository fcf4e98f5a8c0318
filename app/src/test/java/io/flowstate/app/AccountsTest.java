package io.flowstate.app;

import static io.flowstate.app.TestCluster.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.app.TestCluster.Reply;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.testkit.WsTestClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Accounts, workspaces, canvases and roles: HTTP API and live connections")
class AccountsTest {
  private static final String SECRET = "accounts-test-secret-long-enough-for-hs256-0123456789";
  private static final String ISSUER = "https://flowstate.test";
  private static final GatewayConfig.Jwt JWT = GatewayConfig.Jwt.hs256(SECRET, ISSUER, "flowstate");
  private static final String PASSWORD = "correct horse battery";

  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private void start(int bcryptCost) {
    cluster = TestCluster.start(2, b -> b.guestAccess(false).jwt(JWT)
            .allowedOrigins(List.of("https://app.example"))
            .accounts(GatewayConfig.Accounts.defaults().withBcryptCost(bcryptCost).withMaxHttpBodyBytes(4096)),
        s -> s.guestAccess(false));
  }

  /** A signed-up account: its id and tokens. */
  private record Account(String id, String email, String access, String refresh) {
  }

  private Account signup(String name) {
    String email = name + "-" + UUID.randomUUID().toString().substring(0, 6) + "@example.com";
    Reply r = cluster.call(0, "POST", "/v1/auth/signup", null,
        Map.of("email", email, "password", PASSWORD, "name", name));
    assertThat(r.status()).as("signup of " + name + ": " + r.body()).isEqualTo(201);
    return new Account(r.body().path("user").path("id").asText(), email, r.body().path("accessToken").asText(),
        r.body().path("refreshToken").asText());
  }

  private String createWorkspace(Account owner) {
    Reply r = cluster.call(0, "POST", "/v1/workspaces", owner.access(), Map.of("name", "Team"));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.body().path("role").asText()).isEqualTo("owner");
    return r.body().path("id").asText();
  }

  private String createCanvas(Account editor, String ws) {
    Reply r = cluster.call(0, "POST", "/v1/workspaces/" + ws + "/canvases", editor.access(), Map.of("name", "Board"));
    assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(201);
    return r.body().path("id").asText();
  }

  private void addMember(Account owner, String ws, Account member, String role) {
    Reply r = cluster.call(0, "POST", "/v1/workspaces/" + ws + "/members", owner.access(),
        Map.of("email", member.email(), "role", role));
    assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(201);
  }

  private WsTestClient connect(int gateway, String token) {
    WsTestClient ws = WsTestClient.connect(cluster.vertx, cluster.port(gateway), "/v1/ws?access_token=" + token,
        Map.of());
    assertThat(ws.next(WAIT).path("type").asText()).isEqualTo("welcome");
    return ws;
  }

  private static final java.util.concurrent.atomic.AtomicInteger RIDS = new java.util.concurrent.atomic.AtomicInteger();

  private static JsonNode join(WsTestClient ws, String room) {
    String rid = "j" + RIDS.incrementAndGet();
    ws.send(io.flowstate.shared.protocol.Json.object().put("type", "join").put("room", room).put("rid", rid));
    return ws.await(f -> ("joined".equals(f.path("type").asText()) || "error".equals(f.path("type").asText()))
        && rid.equals(f.path("rid").asText()), WAIT);
  }

  private static JsonNode op(WsTestClient ws, String room, String id, double x) {
    TestCluster.sendOp(ws, room, id, TestCluster.createRect(id, x, 0));
    return ws.await(f -> id.equals(f.path("id").asText()) && ("op".equals(f.path("type").asText())
        || "error".equals(f.path("type").asText())), WAIT);
  }

  private String jwt(String sub, String issuer, String audience, int expiresIn, String secret) {
    JWTAuth signer = JWTAuth.create(cluster.vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    JWTOptions options = new JWTOptions().setExpiresInSeconds(expiresIn).setIssuer(issuer)
        .setAudience(List.of(audience));
    return signer.generateToken(new JsonObject().put("sub", sub).put("name", sub), options);
  }

  private int handshake(String query) {
    return handshake(query, Map.of());
  }

  private int handshake(String query, Map<String, String> headers) {
    return WsTestClient.rejectionStatus(cluster.vertx, cluster.port(0), "/v1/ws" + query, headers);
  }

  @Test
  @DisplayName("sign-up, login, profile, refresh rotation with re-use detection, logout and logout-all")
  void accountLifecycle() {
    start(4);
    Account ada = signup("ada");
    assertThat(cluster.call(0, "POST", "/v1/auth/signup", null, Map.of("email", ada.email().toUpperCase(),
        "password", PASSWORD)).code()).as("email taken (case-insensitive)").isEqualTo("conflict");
    assertThat(cluster.call(0, "POST", "/v1/auth/signup", null, Map.of("email", "not-an-email", "password",
        PASSWORD)).status()).isEqualTo(400);
    assertThat(cluster.call(0, "POST", "/v1/auth/signup", null, Map.of("email", "short@example.com", "password",
        "2short")).code()).isEqualTo("bad_request");

    String hash = cluster.block(cluster.pool().query("SELECT password_hash FROM users WHERE id = '" + ada.id() + "'")
        .execute()).iterator().next().getString(0);
    assertThat(hash).startsWith("$2b$04$").doesNotContain(PASSWORD);

    Reply login = cluster.call(1, "POST", "/v1/auth/login", null, Map.of("email", ada.email(), "password", PASSWORD));
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.body().path("tokenType").asText()).isEqualTo("Bearer");
    Reply wrong = cluster.call(0, "POST", "/v1/auth/login", null, Map.of("email", ada.email(), "password", "nope-nope"));
    Reply unknown = cluster.call(0, "POST", "/v1/auth/login", null, Map.of("email", "nobody@example.com",
        "password", "nope-nope"));
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.code()).isEqualTo("invalid_credentials");
    assertThat(unknown.body()).as("unknown email and wrong password answer alike").isEqualTo(wrong.body());

    Reply me = cluster.call(0, "GET", "/v1/me", ada.access(), null);
    assertThat(me.body().path("email").asText()).isEqualTo(ada.email());
    Reply renamed = cluster.call(0, "PATCH", "/v1/me", ada.access(), Map.of("name", "Ada L.", "color", "#123abc"));
    assertThat(renamed.body().path("name").asText()).isEqualTo("Ada L.");
    assertThat(cluster.call(0, "PATCH", "/v1/me", ada.access(), Map.of("color", "red")).status()).isEqualTo(400);

    Reply rotated = cluster.call(0, "POST", "/v1/auth/refresh", null, Map.of("refreshToken", ada.refresh()));
    assertThat(rotated.status()).isEqualTo(200);
    String next = rotated.body().path("refreshToken").asText();
    assertThat(next).isNotEqualTo(ada.refresh());
    assertThat(cluster.call(0, "GET", "/v1/me", rotated.body().path("accessToken").asText(), null).status())
        .isEqualTo(200);
    assertThat(cluster.call(0, "POST", "/v1/auth/refresh", null, Map.of("refreshToken", ada.refresh())).code())
        .as("a rotated refresh token is refused").isEqualTo("unauthorized");
    assertThat(cluster.call(0, "POST", "/v1/auth/refresh", null, Map.of("refreshToken", next)).status())
        .as("re-use of a rotated token revoked its whole family").isEqualTo(401);

    Reply second = cluster.call(0, "POST", "/v1/auth/login", null, Map.of("email", ada.email(), "password", PASSWORD));
    String secondRefresh = second.body().path("refreshToken").asText();
    assertThat(cluster.call(0, "POST", "/v1/auth/logout", null, Map.of("refreshToken", secondRefresh)).status())
        .isEqualTo(204);
    assertThat(cluster.call(0, "POST", "/v1/auth/refresh", null, Map.of("refreshToken", secondRefresh)).status())
        .as("revoked refresh token").isEqualTo(401);

    Reply third = cluster.call(0, "POST", "/v1/auth/login", null, Map.of("email", ada.email(), "password", PASSWORD));
    String access = third.body().path("accessToken").asText();
    WsTestClient live = connect(1, access);
    assertThat(cluster.call(0, "POST", "/v1/auth/logout-all", access, null).status()).isEqualTo(204);
    assertThat(live.awaitClose(WAIT)).as("live connection of a user who logged out everywhere").isEqualTo(1008);
    assertThat(cluster.call(0, "GET", "/v1/me", access, null).status()).as("revoked access token").isEqualTo(401);
    assertThat(handshake("?access_token=" + access, Map.of())).isEqualTo(401);
    assertThat(cluster.call(0, "POST", "/v1/auth/refresh", null,
        Map.of("refreshToken", third.body().path("refreshToken").asText())).status()).isEqualTo(401);
  }

  @Test
  @DisplayName("login takes as long for an unknown email as for a wrong password (no enumeration by timing)")
  void loginTiming() {
    start(10);
    Account ada = signup("ada");
    long[] unknown = new long[5];
    long[] wrong = new long[5];
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      cluster.call(0, "POST", "/v1/auth/login", null, Map.of("email", "ghost" + i + "@example.com", "password", "x"));
      unknown[i] = System.nanoTime() - t0;
      t0 = System.nanoTime();
      cluster.call(0, "POST", "/v1/auth/login", null, Map.of("email", ada.email(), "password", "x"));
      wrong[i] = System.nanoTime() - t0;
    }
    java.util.Arrays.sort(unknown);
    java.util.Arrays.sort(wrong);
    double ratio = (double) unknown[2] / wrong[2];
    System.out.printf("login timing: median unknown email %.1f ms, wrong password %.1f ms, ratio %.2f%n",
        unknown[2] / 1e6, wrong[2] / 1e6, ratio);
    // Without the decoy hash an unknown email answers ~50x faster than a bcrypt check at cost 10.
    assertThat(ratio).isBetween(0.5, 2.0);
  }

  @Test
  @DisplayName("auth matrix: every refusal gets its documented status or code")
  void authMatrix() {
    start(4);
    Account owner = signup("owner");
    Account viewer = signup("viewer");
    Account outsider = signup("outsider");
    String ws = createWorkspace(owner);
    addMember(owner, ws, viewer, "viewer");
    String canvas = createCanvas(owner, ws);

    // Handshake: 401/403 before the upgrade.
    assertThat(handshake("", Map.of())).as("no token").isEqualTo(401);
    assertThat(handshake("", Map.of("Authorization", "Bearer not.a.jwt"))).as("malformed").isEqualTo(401);
    assertThat(handshake("?access_token=" + jwt(owner.id(), ISSUER, "flowstate", 60, SECRET + "x")))
        .as("bad signature").isEqualTo(401);
    assertThat(handshake("?access_token=" + jwt(owner.id(), ISSUER, "flowstate", -10, SECRET)))
        .as("expired").isEqualTo(401);
    assertThat(handshake("?access_token=" + jwt(owner.id(), "https://evil.example", "flowstate", 60, SECRET)))
        .as("wrong issuer").isEqualTo(401);
    assertThat(handshake("?access_token=" + jwt(owner.id(), ISSUER, "other-app", 60, SECRET)))
        .as("wrong audience").isEqualTo(401);
    assertThat(handshake("?guest=mallory", Map.of())).as("guest access is off").isEqualTo(401);
    assertThat(handshake("?access_token=" + owner.access(), Map.of("Origin", "https://evil.example")))
        .as("forbidden origin").isEqualTo(403);
    WsTestClient fromApp = WsTestClient.connect(cluster.vertx, cluster.port(0), "/v1/ws",
        Map.of("Authorization", "Bearer " + owner.access(), "Origin", "https://app.example"));
    assertThat(fromApp.next(WAIT).path("user").path("id").asText()).isEqualTo(owner.id());
    fromApp.close();

    // HTTP API: 401 without a valid token, 403 outside the workspace.
    assertThat(cluster.call(0, "GET", "/v1/workspaces", null, null).code()).isEqualTo("unauthorized");
    assertThat(cluster.call(0, "GET", "/v1/workspaces", "garbage", null).status()).isEqualTo(401);
    assertThat(cluster.call(0, "GET", "/v1/workspaces/" + ws, outsider.access(), null).code()).isEqualTo("forbidden");
    assertThat(cluster.call(0, "GET", "/v1/rooms/" + canvas + "/state", outsider.access(), null).status())
        .as("history of a canvas the caller cannot see").isEqualTo(403);
    assertThat(cluster.call(0, "GET", "/v1/rooms/" + canvas + "/state", null, null).status()).isEqualTo(401);
    assertThat(cluster.call(0, "GET", "/v1/rooms/" + canvas + "/export.svg", viewer.access(), null).status())
        .as("viewers may read history and export").isEqualTo(200);
    assertThat(cluster.call(0, "POST", "/v1/auth/refresh", null, Map.of("refreshToken", "revoked-or-unknown")).code())
        .isEqualTo("unauthorized");

    // WebSocket: an outsider's join, a viewer's op, an unknown canvas.
    WsTestClient stranger = connect(0, outsider.access());
    assertThat(join(stranger, canvas).path("code").asText()).as("user not in the workspace").isEqualTo("forbidden");
    assertThat(join(stranger, "no-such-canvas").path("code").asText()).isEqualTo("not_found");
    WsTestClient watcher = connect(1, viewer.access());
    JsonNode joined = join(watcher, canvas);
    assertThat(joined.path("type").asText()).isEqualTo("joined");
    assertThat(joined.path("role").asText()).isEqualTo("viewer");
    assertThat(op(watcher, canvas, "v1", 1).path("code").asText()).as("viewer writing").isEqualTo("forbidden");
    WsTestClient writer = connect(0, owner.access());
    assertThat(join(writer, canvas).path("role").asText()).isEqualTo("owner");
    assertThat(op(writer, canvas, "o1", 1).path("type").asText()).isEqualTo("op");
    assertThat(cluster.opRows(canvas)).isEqualTo(1);

    // Removed member: `left` on the live connection, then refusals.
    assertThat(cluster.call(0, "DELETE", "/v1/workspaces/" + ws + "/members/" + viewer.id(), owner.access(), null)
        .status()).isEqualTo(204);
    JsonNode left = watcher.next("left", WAIT);
    assertThat(left.path("room").asText()).isEqualTo(canvas);
    assertThat(left.path("code").asText()).isEqualTo("forbidden");
    assertThat(op(watcher, canvas, "v2", 2).path("code").asText()).isEqualTo("not_joined");
    assertThat(join(watcher, canvas).path("code").asText()).isEqualTo("forbidden");
  }

  @Test
  @DisplayName("a role change reaches live connections on every gateway within a second")
  void liveRoleChanges() {
    start(4);
    Account owner = signup("owner");
    Account bob = signup("bob");
    String ws = createWorkspace(owner);
    addMember(owner, ws, bob, "editor");
    String canvas = createCanvas(bob, ws);
    WsTestClient live = connect(1, bob.access());
    join(live, canvas);
    assertThat(op(live, canvas, "b1", 1).path("type").asText()).isEqualTo("op");

    long t0 = System.nanoTime();
    Reply downgraded = cluster.call(0, "PATCH", "/v1/workspaces/" + ws + "/members/" + bob.id(), owner.access(),
        Map.of("role", "viewer"));
    assertThat(downgraded.body().path("role").asText()).isEqualTo("viewer");
    JsonNode role = live.next("role", Duration.ofSeconds(1));
    System.out.printf("downgrade reached the live connection in %.1f ms%n", (System.nanoTime() - t0) / 1e6);
    assertThat(role.path("role").asText()).isEqualTo("viewer");
    assertThat(op(live, canvas, "b2", 2).path("code").asText()).isEqualTo("forbidden");
    cluster.gateways.forEach(g -> g.access().skipGatewayChecks());
    live.send(io.flowstate.shared.protocol.Json.object().put("type", "op").put("room", canvas).put("id", "b1")
        .put("rid", "retry-b1").set("op", TestCluster.createRect("b1", 1, 0)));
    assertThat(live.await(f -> "ack".equals(f.path("type").asText()) && "b1".equals(f.path("id").asText()), WAIT)
        .path("duplicate").asBoolean()).as("a retry of an op committed before the downgrade is acked").isTrue();

    // A per-canvas override beats the workspace role.
    assertThat(cluster.call(0, "PUT", "/v1/canvases/" + canvas + "/roles/" + bob.id(), owner.access(),
        Map.of("role", "editor")).status()).isEqualTo(200);
    assertThat(live.next("role", Duration.ofSeconds(1)).path("role").asText()).isEqualTo("editor");
    assertThat(op(live, canvas, "b3", 3).path("type").asText()).isEqualTo("op");
    assertThat(cluster.call(0, "PUT", "/v1/canvases/" + canvas + "/roles/" + bob.id(), bob.access(),
        Map.of("role", "owner")).code()).as("an override cannot promote itself").isEqualTo("forbidden");

    // Deleting the canvas ends every member's stream; the log is kept.
    assertThat(cluster.call(0, "DELETE", "/v1/canvases/" + canvas, bob.access(), null).status()).isEqualTo(403);
    assertThat(cluster.call(0, "DELETE", "/v1/canvases/" + canvas, owner.access(), null).status()).isEqualTo(204);
    JsonNode gone = live.next("left", Duration.ofSeconds(1));
    assertThat(gone.path("code").asText()).as(gone + " after " + live.all()).isEqualTo("not_found");
    assertThat(join(live, canvas).path("code").asText()).isEqualTo("not_found");
    assertThat(cluster.call(0, "GET", "/v1/canvases/" + canvas, owner.access(), null).status()).isEqualTo(404);
    assertThat(cluster.opRows(canvas)).isEqualTo(2);
  }

  @Test
  @DisplayName("a gateway that skips its role check still cannot commit a viewer's op: the sequencer refuses it")
  void sequencerHasTheLastWord() {
    start(4);
    Account owner = signup("owner");
    Account viewer = signup("viewer");
    String ws = createWorkspace(owner);
    addMember(owner, ws, viewer, "viewer");
    String canvas = createCanvas(owner, ws);
    cluster.gateways.forEach(g -> g.access().skipGatewayChecks());
    WsTestClient watcher = connect(0, viewer.access());
    join(watcher, canvas);
    JsonNode refused = op(watcher, canvas, "sneaky", 1);
    assertThat(refused.path("code").asText()).isEqualTo("forbidden");
    watcher.send(io.flowstate.shared.protocol.Json.object().put("type", "undo").put("room", canvas).put("id", "u1"));
    assertThat(watcher.await(f -> "u1".equals(f.path("id").asText()), WAIT).path("code").asText())
        .isEqualTo("forbidden");
    assertThat(cluster.opRows(canvas)).isZero();
  }

  @Test
  @DisplayName("workspaces, members, invites and canvases: CRUD, listing, the last owner, validation and limits")
  void workspacesAndCanvases() {
    start(4);
    Account owner = signup("owner");
    Account carol = signup("carol");
    Account dave = signup("dave");
    String ws = createWorkspace(owner);
    assertThat(cluster.call(0, "GET", "/v1/workspaces", owner.access(), null).body().path("workspaces")).hasSize(1);
    assertThat(cluster.call(0, "GET", "/v1/workspaces", carol.access(), null).body().path("workspaces")).isEmpty();
    assertThat(cluster.call(0, "PATCH", "/v1/workspaces/" + ws, owner.access(), Map.of("name", "Renamed")).body()
        .path("name").asText()).isEqualTo("Renamed");

    assertThat(cluster.call(0, "POST", "/v1/workspaces/" + ws + "/members", owner.access(),
        Map.of("email", "nobody@example.com", "role", "editor")).status()).isEqualTo(404);
    addMember(owner, ws, carol, "editor");
    assertThat(cluster.call(0, "POST", "/v1/workspaces/" + ws + "/members", owner.access(),
        Map.of("email", carol.email(), "role", "viewer")).code()).isEqualTo("conflict");
    assertThat(cluster.call(0, "POST", "/v1/workspaces/" + ws + "/members", carol.access(),
        Map.of("email", dave.email(), "role", "viewer")).code()).as("only owners add members").isEqualTo("forbidden");
    assertThat(cluster.call(0, "GET", "/v1/workspaces/" + ws + "/members", carol.access(), null).body()
        .path("members")).hasSize(2);
    assertThat(cluster.call(0, "PATCH", "/v1/workspaces/" + ws + "/members/" + owner.id(), owner.access(),
        Map.of("role", "editor")).code()).as("the last owner stays").isEqualTo("conflict");
    assertThat(cluster.call(0, "DELETE", "/v1/workspaces/" + ws + "/members/" + owner.id(), owner.access(), null)
        .code()).isEqualTo("conflict");

    Reply invite = cluster.call(0, "POST", "/v1/workspaces/" + ws + "/invites", owner.access(),
        Map.of("role", "commenter", "expiresInSeconds", 3600));
    assertThat(invite.status()).isEqualTo(201);
    String token = invite.body().path("token").asText();
    assertThat(invite.body().path("url").asText()).endsWith("?invite=" + token);
    assertThat(cluster.call(0, "POST", "/v1/workspaces/" + ws + "/invites", owner.access(),
        Map.of("role", "editor", "expiresInSeconds", 10)).status()).isEqualTo(400);
    Reply accepted = cluster.call(0, "POST", "/v1/invites/" + token + "/accept", dave.access(), null);
    assertThat(accepted.body().path("role").asText()).isEqualTo("commenter");
    assertThat(cluster.call(0, "GET", "/v1/workspaces/" + ws + "/invites", owner.access(), null).body()
        .path("invites")).hasSize(1);
    String inviteId = invite.body().path("id").asText();
    assertThat(cluster.call(0, "DELETE", "/v1/workspaces/" + ws + "/invites/" + inviteId, owner.access(), null)
        .status()).isEqualTo(204);
    assertThat(cluster.call(0, "POST", "/v1/invites/" + token + "/accept", carol.access(), null).status())
        .as("revoked invite").isEqualTo(404);

    String board = createCanvas(carol, ws);
    assertThat(cluster.call(0, "POST", "/v1/workspaces/" + ws + "/canvases", dave.access(), Map.of("name", "x"))
        .code()).as("commenters do not create canvases").isEqualTo("forbidden");
    assertThat(cluster.call(0, "PATCH", "/v1/canvases/" + board, carol.access(), Map.of("name", "Plan")).body()
        .path("name").asText()).isEqualTo("Plan");
    assertThat(cluster.call(0, "GET", "/v1/workspaces/" + ws + "/canvases", dave.access(), null).body()
        .path("canvases").get(0).path("role").asText()).isEqualTo("commenter");

    // A per-canvas role shares one canvas with someone outside the workspace.
    Account erin = signup("erin");
    assertThat(cluster.call(0, "GET", "/v1/canvases/" + board, erin.access(), null).status()).isEqualTo(403);
    cluster.call(0, "PUT", "/v1/canvases/" + board + "/roles/" + erin.id(), owner.access(), Map.of("role", "viewer"));
    assertThat(cluster.call(0, "GET", "/v1/canvases", erin.access(), null).body().path("canvases").get(0)
        .path("id").asText()).isEqualTo(board);
    assertThat(cluster.call(0, "DELETE", "/v1/canvases/" + board + "/roles/" + erin.id(), owner.access(), null)
        .status()).isEqualTo(204);
    assertThat(cluster.call(0, "GET", "/v1/canvases", erin.access(), null).body().path("canvases")).isEmpty();

    // Validation and limits.
    assertThat(cluster.call(0, "POST", "/v1/workspaces", owner.access(), Map.of("name", "")).code())
        .isEqualTo("bad_request");
    assertThat(cluster.call(0, "POST", "/v1/workspaces", owner.access(), Map.of("name", "x", "extra", 1)).status())
        .isEqualTo(400);
    assertThat(cluster.call(0, "POST", "/v1/workspaces", owner.access(), "{not json").status()).isEqualTo(400);
    assertThat(cluster.call(0, "POST", "/v1/workspaces", owner.access(), Map.of("name", "x".repeat(5000))).code())
        .as("body over FLOWSTATE_MAX_HTTP_BODY_BYTES").isEqualTo("too_large");
    assertThat(cluster.call(0, "PATCH", "/v1/workspaces/" + ws + "/members/" + carol.id(), owner.access(),
        Map.of("role", "admin")).status()).isEqualTo(400);

    assertThat(cluster.call(0, "DELETE", "/v1/workspaces/" + ws, carol.access(), null).status()).isEqualTo(403);
    assertThat(cluster.call(0, "DELETE", "/v1/workspaces/" + ws, owner.access(), null).status()).isEqualTo(204);
    assertThat(cluster.call(0, "GET", "/v1/workspaces/" + ws, owner.access(), null).status()).isEqualTo(404);
    assertThat(cluster.call(0, "GET", "/v1/canvases/" + board, carol.access(), null).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("the served OpenAPI document lists every route, and every operation in it is routed")
  void openApiCoversTheRoutes() {
    start(4);
    Reply doc = cluster.call(0, "GET", "/v1/openapi.json", null, null);
    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.body().path("openapi").asText()).startsWith("3.");
    int operations = 0;
    for (var path : (Iterable<Map.Entry<String, JsonNode>>) doc.body().path("paths")::fields) {
      for (var method : (Iterable<Map.Entry<String, JsonNode>>) path.getValue()::fields) {
        if (!List.of("get", "post", "put", "patch", "delete").contains(method.getKey())) {
          continue;
        }
        operations++;
        String concrete = path.getKey().replaceAll("\\{[^}]+}", "x");
        if (concrete.equals("/v1/ws")) {
          continue;
        }
        System.out.println("openapi coverage: " + method.getKey() + " " + concrete);  // names the route if a request hangs
        Reply r = cluster.call(0, method.getKey().toUpperCase(), concrete, null,
            List.of("post", "put", "patch").contains(method.getKey()) ? Map.of() : null);
        assertThat(r.status()).as(method.getKey() + " " + path.getKey() + " is routed").isNotIn(404, 405, 501);
      }
    }
    assertThat(operations).isGreaterThanOrEqualTo(37);
  }

  @Test
  @DisplayName("users of an external identity provider get accounts on first use, join workspaces by email and "
      + "draw; local sign-up is off")
  void externalIdentityProvider() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    java.security.KeyPair pair = generator.generateKeyPair();
    String publicPem = "-----BEGIN PUBLIC KEY-----\n"
        + java.util.Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    String privatePem = "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    cluster = TestCluster.start(1, b -> b.guestAccess(false)
            .jwt(GatewayConfig.Jwt.publicKey("RS256", publicPem, "https://idp.example", null)
                .withClaims("uid", "preferred_username", "email")),
        s -> s.guestAccess(false));
    JWTAuth idp = JWTAuth.create(cluster.vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(privatePem)));
    JWTOptions options = new JWTOptions().setAlgorithm("RS256").setExpiresInSeconds(300).setIssuer("https://idp.example");
    String owner = idp.generateToken(new JsonObject().put("uid", "idp-owner").put("preferred_username", "Olga")
        .put("email", "olga@idp.example"), options);
    String member = idp.generateToken(new JsonObject().put("uid", "idp-member").put("preferred_username", "Mel")
        .put("email", "Mel@IDP.example"), options);

    assertThat(cluster.call(0, "POST", "/v1/auth/signup", null, Map.of("email", "x@example.com", "password",
        PASSWORD)).status()).as("no local accounts with an identity provider").isEqualTo(404);
    Reply me = cluster.call(0, "GET", "/v1/me", member, null);
    assertThat(me.body().path("id").asText()).isEqualTo("idp-member");
    assertThat(me.body().path("name").asText()).isEqualTo("Mel");
    Reply ws = cluster.call(0, "POST", "/v1/workspaces", owner, Map.of("name", "IdP team"));
    assertThat(ws.status()).isEqualTo(201);
    String wsId = ws.body().path("id").asText();
    assertThat(cluster.call(0, "POST", "/v1/workspaces/" + wsId + "/members", owner,
        Map.of("email", "mel@idp.example", "role", "editor")).status()).isEqualTo(201);
    Reply canvas = cluster.call(0, "POST", "/v1/workspaces/" + wsId + "/canvases", member, Map.of("name", "Board"));
    assertThat(canvas.status()).isEqualTo(201);
    WsTestClient live = connect(0, member);
    String room = canvas.body().path("id").asText();
    assertThat(join(live, room).path("role").asText()).isEqualTo("editor");
    assertThat(op(live, room, "m1", 1).path("author").path("name").asText()).isEqualTo("Mel");
  }

  @Test
  @DisplayName("an expired invite cannot be accepted")
  void expiredInvite() {
    start(4);
    Account owner = signup("owner");
    Account late = signup("late");
    String ws = createWorkspace(owner);
    Reply invite = cluster.call(0, "POST", "/v1/workspaces/" + ws + "/invites", owner.access(),
        Map.of("role", "editor"));
    java.time.Instant expires = java.time.Instant.parse(invite.body().path("expiresAt").asText());
    assertThat(java.time.Duration.between(java.time.Instant.now(), expires).toMinutes()).as("default lifetime: 7 days")
        .isBetween(7L * 24 * 60 - 2, 7L * 24 * 60);
    cluster.block(cluster.pool().query("UPDATE invites SET expires_at = now() - interval '1 second' WHERE id = '"
        + invite.body().path("id").asText() + "'").execute());
    Reply accepted = cluster.call(0, "POST", "/v1/invites/" + invite.body().path("token").asText() + "/accept",
        late.access(), null);
    assertThat(accepted.status()).isEqualTo(404);
    assertThat(cluster.call(0, "GET", "/v1/workspaces/" + ws, late.access(), null).status()).isEqualTo(403);
  }
}
