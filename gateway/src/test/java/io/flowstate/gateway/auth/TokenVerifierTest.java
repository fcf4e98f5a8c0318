package io.flowstate.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.User;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
@DisplayName("The access-token verifier")
class TokenVerifierTest {
  private static final String ISSUER = "https://idp.example";
  private static final String AUDIENCE = "flowstate";
  private static final String SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789";

  private static KeyPair rsa1;
  private static KeyPair rsa2;
  private static KeyPair rogue;
  private static KeyPair ec;

  private final AtomicReference<JsonObject> served = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private HttpServer server;
  private String jwksUrl;
  private TokenVerifier verifier;

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    rsa1 = rsa.generateKeyPair();
    rsa2 = rsa.generateKeyPair();
    rogue = rsa.generateKeyPair();
    KeyPairGenerator p256 = KeyPairGenerator.getInstance("EC");
    p256.initialize(new ECGenParameterSpec("secp256r1"));
    ec = p256.generateKeyPair();
  }

  @BeforeEach
  void jwksServer(Vertx vertx, VertxTestContext ctx) {
    served.set(jwks(rsaJwk("rsa-1", rsa1), ecJwk("ec-1", ec)));
    vertx.createHttpServer().requestHandler(req -> {
      fetches.incrementAndGet();
      JsonObject body = served.get();
      if (body == null) {
        req.response().setStatusCode(503).end();
      } else {
        req.response().putHeader("content-type", "application/json").end(body.encode());
      }
    }).listen(0, "127.0.0.1").onComplete(ctx.succeeding(s -> {
      server = s;
      jwksUrl = "http://127.0.0.1:" + s.actualPort() + "/.well-known/jwks.json";
      ctx.completeNow();
    }));
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    if (verifier != null) {
      verifier.stop();
    }
    server.close().onComplete(ctx.succeedingThenComplete());
  }

  private GatewayConfig.Jwt jwksConfig() {
    return GatewayConfig.Jwt.jwks("RS256", jwksUrl, ISSUER, AUDIENCE);
  }

  private Future<TokenVerifier> started(Vertx vertx, GatewayConfig.Jwt config) {
    verifier = new TokenVerifier(vertx, config);
    return verifier.start().map(v -> verifier);
  }

  @Test
  @DisplayName("accepts an RS256 token whose kid is in the JWKS and maps the configured claims (aud as an array)")
  void rs256ViaJwks(Vertx vertx, VertxTestContext ctx) {
    String token = token(signer(vertx, "RS256", rsa1), "RS256", "rsa-1", new JsonObject()
        .put("uid", "idp-42").put("sub", "ignored").put("preferred_username", "Ada\u0007 Lovelace")
        .put("email", "ada@example.com"), ISSUER, List.of("other-app", AUDIENCE), 60);
    JsonObject header = part(token, 0);
    assertThat(header.getString("kid")).as("JWTOptions.setHeader puts the kid in the header").isEqualTo("rsa-1");
    assertThat(header.getString("alg")).isEqualTo("RS256");
    assertThat(part(token, 1).getValue("aud")).isInstanceOf(JsonArray.class);
    long exp = part(token, 1).getLong("exp");
    long iat = part(token, 1).getLong("iat");

    started(vertx, jwksConfig().withClaims("uid", "preferred_username", "email"))
        .compose(v -> v.verify(token))
        .map(identity -> {
          assertThat(identity.user().id()).isEqualTo("idp-42");
          assertThat(identity.user().name()).as("control characters are cleaned").isEqualTo("Ada Lovelace");
          assertThat(identity.user().color()).isEqualTo(User.colorFor("idp-42"));
          assertThat(identity.email()).isEqualTo("ada@example.com");
          assertThat(identity.expiresAt()).isEqualTo(Instant.ofEpochSecond(exp));
          assertThat(identity.issuedAt()).isEqualTo(Instant.ofEpochSecond(iat));
          assertThat(fetches.get()).as("one fetch at start").isEqualTo(1);
          return null;
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("accepts an ES256 (P-256) token from the JWKS; the name falls back to the id, email is optional")
  void es256ViaJwks(Vertx vertx, VertxTestContext ctx) {
    String token = token(signer(vertx, "ES256", ec), "ES256", "ec-1", new JsonObject().put("sub", "ec-user"),
        ISSUER, List.of(AUDIENCE), 60);
    assertThat(part(token, 0).getString("kid")).isEqualTo("ec-1");
    started(vertx, jwksConfig())
        .compose(v -> v.verify(token))
        .map(identity -> {
          assertThat(identity.user().id()).isEqualTo("ec-user");
          assertThat(identity.user().name()).isEqualTo("ec-user");
          assertThat(identity.email()).isNull();
          return null;
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("refuses tokens signed by a key not in the JWKS, expired, from the wrong issuer or audience, "
      + "without exp, without the user claim, or unsigned")
  void refusals(Vertx vertx, VertxTestContext ctx) {
    JWTAuth good = signer(vertx, "RS256", rsa1);
    JWTAuth forged = signer(vertx, "RS256", rogue);
    long now = Instant.now().getEpochSecond();
    JsonObject sub = new JsonObject().put("sub", "u-1");
    String forgedSameKid = token(forged, "RS256", "rsa-1", sub.copy(), ISSUER, List.of(AUDIENCE), 60);
    String forgedOtherKid = token(forged, "RS256", "rogue-1", sub.copy(), ISSUER, List.of(AUDIENCE), 60);
    String expired = token(good, "RS256", "rsa-1", sub.copy().put("exp", now - 5), ISSUER, List.of(AUDIENCE), 0);
    String wrongIssuer = token(good, "RS256", "rsa-1", sub.copy(), "https://evil.example", List.of(AUDIENCE), 60);
    String wrongAudience = token(good, "RS256", "rsa-1", sub.copy(), ISSUER, List.of("other-app"), 60);
    String noExp = token(good, "RS256", "rsa-1", sub.copy(), ISSUER, List.of(AUDIENCE), 0);
    String noSub = token(good, "RS256", "rsa-1", new JsonObject().put("name", "x"), ISSUER, List.of(AUDIENCE), 60);
    assertThat(part(noExp, 1).containsKey("exp")).isFalse();
    String unsigned = b64(new JsonObject().put("alg", "none").put("typ", "JWT").encode()) + "."
        + b64(new JsonObject().put("sub", "u-1").put("iss", ISSUER).put("aud", AUDIENCE).put("exp", now + 60).encode())
        + ".";

    started(vertx, jwksConfig())
        .compose(v -> refused(v.verify(forgedSameKid), "forged with a known kid", "signature"))
        .compose(v -> refused(verifier.verify(forgedOtherKid), "signed by a key not in the JWKS", "rogue-1"))
        .compose(v -> refused(verifier.verify(expired), "expired", "expired"))
        .compose(v -> refused(verifier.verify(wrongIssuer), "wrong issuer", "issuer"))
        .compose(v -> refused(verifier.verify(wrongAudience), "wrong audience", "audience"))
        .compose(v -> refused(verifier.verify(noExp), "no exp", "exp"))
        .compose(v -> refused(verifier.verify(noSub), "no sub", "sub"))
        .compose(v -> refused(verifier.verify(unsigned), "unsigned", "malformed"))
        .compose(v -> refused(verifier.verify("not.a.jwt"), "garbage", "malformed"))
        .compose(v -> refused(verifier.verify(null), "null", "missing"))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("a token naming a newly published kid triggers a re-fetch and verifies without waiting for the "
      + "refresh period; a second unknown kid within 30 s does not fetch again")
  void rotation(Vertx vertx, VertxTestContext ctx) {
    String rotated = token(signer(vertx, "RS256", rsa2), "RS256", "rsa-2", new JsonObject().put("sub", "u-2"),
        ISSUER, List.of(AUDIENCE), 60);
    String unknown = token(signer(vertx, "RS256", rogue), "RS256", "rsa-3", new JsonObject().put("sub", "u-3"),
        ISSUER, List.of(AUDIENCE), 60);
    started(vertx, jwksConfig())
        .map(v -> {
          assertThat(fetches.get()).isEqualTo(1);
          served.set(jwks(rsaJwk("rsa-2", rsa2), ecJwk("ec-1", ec)));
          return null;
        })
        .compose(v -> verifier.verify(rotated))
        .map(identity -> {
          assertThat(identity.user().id()).isEqualTo("u-2");
          assertThat(fetches.get()).as("re-fetched once for the unknown kid").isEqualTo(2);
          return null;
        })
        .compose(v -> refused(verifier.verify(unknown), "unknown kid within the re-fetch interval", "rsa-3"))
        .map(v -> {
          assertThat(fetches.get()).as("no second re-fetch within 30 s").isEqualTo(2);
          return null;
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("refreshes the JWKS every jwksRefreshMs, and a failed refresh keeps the previous keys")
  void periodicRefresh(Vertx vertx, VertxTestContext ctx) {
    // No kid: only the periodic refresh (not the unknown-kid re-fetch) can make this token verify.
    String rotated = token(signer(vertx, "RS256", rsa2), "RS256", null, new JsonObject().put("sub", "u-2"),
        ISSUER, List.of(AUDIENCE), 60);
    assertThat(part(rotated, 0).containsKey("kid")).isFalse();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    started(vertx, jwksConfig().withJwksRefreshMs(100))
        .compose(v -> refused(verifier.verify(rotated), "before the refresh", "signature"))
        .map(v -> {
          served.set(jwks(rsaJwk("rsa-2", rsa2)));
          return null;
        })
        .compose(v -> eventually(vertx, () -> verifier.verify(rotated), deadline))
        .map(identity -> {
          assertThat(identity.user().id()).isEqualTo("u-2");
          served.set(null);
          return fetches.get();
        })
        .compose(before -> until(vertx, () -> fetches.get() >= before + 2, deadline))
        .compose(v -> verifier.verify(rotated))
        .map(identity -> {
          assertThat(identity.user().id()).as("still verifies after failed refreshes").isEqualTo("u-2");
          return null;
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("accepts both a configured PEM key and the JWKS keys when both are set")
  void pemAndJwks(Vertx vertx, VertxTestContext ctx) throws Exception {
    KeyPairGenerator p256 = KeyPairGenerator.getInstance("EC");
    p256.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pemPair = p256.generateKeyPair();
    GatewayConfig.Jwt config = new GatewayConfig.Jwt("ES256", pem("PUBLIC KEY", pemPair.getPublic().getEncoded()),
        ISSUER, AUDIENCE, "sub", "name", "email", jwksUrl, GatewayConfig.Jwt.DEFAULT_JWKS_REFRESH_MS);
    String byPem = token(signer(vertx, "ES256", pemPair), "ES256", null, new JsonObject().put("sub", "pem-user"),
        ISSUER, List.of(AUDIENCE), 60);
    String byJwks = token(signer(vertx, "RS256", rsa1), "RS256", "rsa-1", new JsonObject().put("sub", "jwks-user"),
        ISSUER, List.of(AUDIENCE), 60);
    started(vertx, config)
        .compose(v -> v.verify(byPem))
        .map(identity -> {
          assertThat(identity.user().id()).isEqualTo("pem-user");
          return null;
        })
        .compose(v -> verifier.verify(byJwks))
        .map(identity -> {
          assertThat(identity.user().id()).isEqualTo("jwks-user");
          return null;
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("start() fails with a clear message when the JWKS endpoint is down or serves no usable key")
  void endpointDown(Vertx vertx, VertxTestContext ctx) {
    String downUrl = jwksUrl;
    server.close()
        .compose(v -> refused(new TokenVerifier(vertx, GatewayConfig.Jwt.jwks("RS256", downUrl, null, null)).start(),
            "connection refused"))
        .map(e -> {
          assertThat(e.getMessage()).startsWith("cannot fetch JWKS from " + downUrl + ": ");
          return null;
        })
        .compose(v -> vertx.createHttpServer().requestHandler(req -> req.response()
            .end(jwks(new JsonObject().put("kty", "RSA").put("use", "enc").put("kid", "enc-1")
                .put("n", "AQAB").put("e", "AQAB"), new JsonObject().put("kty", "OKP").put("kid", "ed-1")).encode()))
            .listen(0, "127.0.0.1"))
        .compose(s -> {
          String url = "http://127.0.0.1:" + s.actualPort() + "/jwks";
          return refused(new TokenVerifier(vertx, GatewayConfig.Jwt.jwks("RS256", url, null, null)).start(),
              "no usable key").map(e -> {
                assertThat(e.getMessage()).startsWith("cannot fetch JWKS from " + url + ": ")
                    .contains("no usable");
                return null;
              }).eventually(s::close);
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("an HS256 token from sign() verifies to the same user, email, iat and exp")
  void signRoundTrip(Vertx vertx, VertxTestContext ctx) {
    verifier = new TokenVerifier(vertx, GatewayConfig.Jwt.hs256(SECRET, ISSUER, AUDIENCE));
    String token = verifier.sign(new JsonObject().put("sub", "acct-7").put("name", "Grace")
        .put("email", "grace@example.com"), 900);
    JsonObject claims = part(token, 1);
    assertThat(part(token, 0).getString("alg")).isEqualTo("HS256");
    assertThat(claims.getString("iss")).isEqualTo(ISSUER);
    assertThat(claims.getString("aud")).isEqualTo(AUDIENCE);
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(900);
    assertThat(claims.getLong("iat")).isCloseTo(Instant.now().getEpochSecond(), within(5L));
    verifier.start()
        .compose(v -> verifier.verify(token))
        .map(identity -> {
          assertThat(identity.user().id()).isEqualTo("acct-7");
          assertThat(identity.user().name()).isEqualTo("Grace");
          assertThat(identity.email()).isEqualTo("grace@example.com");
          assertThat(identity.issuedAt()).isEqualTo(Instant.ofEpochSecond(claims.getLong("iat")));
          assertThat(identity.expiresAt()).isEqualTo(Instant.ofEpochSecond(claims.getLong("exp")));
          return null;
        })
        .compose(v -> refused(new TokenVerifier(vertx, GatewayConfig.Jwt.hs256(
            "another-secret-that-is-long-enough-for-hs256-987654", ISSUER, AUDIENCE)).verify(token), "other secret",
            "signature"))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  @DisplayName("sign() throws on a configuration that does not sign tokens")
  void signRefusedWithoutSecret(Vertx vertx) {
    GatewayConfig.Jwt pem = GatewayConfig.Jwt.publicKey("RS256", pem("PUBLIC KEY", rsa1.getPublic().getEncoded()),
        ISSUER, AUDIENCE);
    assertThatThrownBy(() -> new TokenVerifier(vertx, pem).sign(new JsonObject().put("sub", "x"), 60))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new TokenVerifier(vertx, jwksConfig()).sign(new JsonObject().put("sub", "x"), 60))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("the two-argument Identity keeps email and iat empty")
  void identityConvenience() {
    var user = new User("g", "Guest", "#000000");
    assertThat(new TokenVerifier.Identity(user, null)).isEqualTo(new TokenVerifier.Identity(user, null, null, null));
  }

  // --- helpers ---

  private static Future<Throwable> refused(Future<?> outcome, String what) {
    return outcome.transform(ar -> ar.succeeded()
        ? Future.failedFuture(new AssertionError(what + ": expected a refusal but got " + ar.result()))
        : Future.succeededFuture(ar.cause()));
  }

  /** Refused, and for the expected reason (the message mentions {@code reason}). */
  private static Future<Throwable> refused(Future<?> outcome, String what, String reason) {
    return refused(outcome, what).map(e -> {
      assertThat(e.getMessage()).as(what).containsIgnoringCase(reason);
      return e;
    });
  }

  private static <T> Future<T> eventually(Vertx vertx, Supplier<Future<T>> attempt, long deadlineNanos) {
    return attempt.get().recover(e -> System.nanoTime() > deadlineNanos ? Future.failedFuture(e)
        : delay(vertx).compose(v -> eventually(vertx, attempt, deadlineNanos)));
  }

  private static Future<Void> until(Vertx vertx, BooleanSupplier condition, long deadlineNanos) {
    if (condition.getAsBoolean()) {
      return Future.succeededFuture();
    }
    if (System.nanoTime() > deadlineNanos) {
      return Future.failedFuture(new AssertionError("condition not met before the deadline"));
    }
    return delay(vertx).compose(v -> until(vertx, condition, deadlineNanos));
  }

  private static Future<Void> delay(Vertx vertx) {
    Promise<Void> promise = Promise.promise();
    vertx.setTimer(50, id -> promise.complete());
    return promise.future();
  }

  private static JWTAuth signer(Vertx vertx, String algorithm, KeyPair pair) {
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm)
        .setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded()))));
  }

  private static String token(JWTAuth signer, String algorithm, String kid, JsonObject claims, String issuer,
      List<String> audience, int expiresInSeconds) {
    JWTOptions options = new JWTOptions().setAlgorithm(algorithm).setIssuer(issuer).setAudience(audience);
    if (expiresInSeconds > 0) {
      options.setExpiresInSeconds(expiresInSeconds);
    }
    if (kid != null) {
      options.setHeader(new JsonObject().put("kid", kid));
    }
    return signer.generateToken(claims, options);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type
        + "-----\n";
  }

  private static JsonObject jwks(JsonObject... keys) {
    return new JsonObject().put("keys", new JsonArray(List.of((Object[]) keys)));
  }

  private static JsonObject rsaJwk(String kid, KeyPair pair) {
    RSAPublicKey key = (RSAPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256").put("use", "sig")
        .put("n", b64(unsigned(key.getModulus(), 0))).put("e", b64(unsigned(key.getPublicExponent(), 0)));
  }

  private static JsonObject ecJwk(String kid, KeyPair pair) {
    ECPublicKey key = (ECPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "EC").put("kid", kid).put("alg", "ES256").put("use", "sig").put("crv", "P-256")
        .put("x", b64(unsigned(key.getW().getAffineX(), 32))).put("y", b64(unsigned(key.getW().getAffineY(), 32)));
  }

  /** Big-endian unsigned bytes, left-padded to {@code length} when given. */
  private static byte[] unsigned(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    if (bytes.length < length) {
      byte[] padded = new byte[length];
      System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
      bytes = padded;
    }
    return bytes;
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String b64(String text) {
    return b64(text.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject part(String token, int index) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[index]), StandardCharsets.UTF_8));
  }
}
