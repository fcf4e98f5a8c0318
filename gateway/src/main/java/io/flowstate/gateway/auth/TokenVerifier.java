package io.flowstate.gateway.auth;

import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.Text;
import io.flowstate.shared.protocol.User;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Verifies access tokens (JWT, via vertx-auth-jwt) at the WebSocket handshake, on {@code refresh}
 * and on the HTTP API: signature (HS256 secret, RS256/ES256 PEM public key, and/or the keys an
 * identity provider publishes at a JWKS URL), expiry ({@code exp} required, no leeway), issuer and
 * audience; then maps the configured claims to a {@link User}. JWKS keys are fetched at
 * {@link #start}, every {@code jwksRefreshMs}, and when a token names an unknown {@code kid} (at most
 * once per {@link #UNKNOWN_KID_REFETCH_MS}); a failed fetch keeps the previous keys. Any failure is a
 * failed future with a short message that is logged, never shown: callers answer 401 or 1008.
 * Thread-safe: the key set is swapped atomically, so one verifier may serve several event loops.
 */
public final class TokenVerifier {
  private static final Logger LOG = Logger.getLogger(TokenVerifier.class.getName());
  /** A token naming an unknown key id re-fetches the JWKS at most this often (no request amplification). */
  static final long UNKNOWN_KID_REFETCH_MS = 30_000;
  private static final int MAX_TOKEN_CHARS = 16 * 1024;
  private static final int MAX_KID_CHARS = 256;
  private static final int MAX_JWKS_BYTES = 512 * 1024;
  private static final long JWKS_TIMEOUT_MS = 10_000;
  private static final int MAX_USER_ID_CHARS = 128;
  private static final int MAX_NAME_CHARS = 64;
  private static final int MAX_EMAIL_CHARS = 254;
  private static final List<String> PRIVATE_MEMBERS = List.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

  private final Vertx vertx;
  private final GatewayConfig.Jwt config;
  private final JWTOptions verifyOptions;
  private final PubSecKeyOptions staticKey;
  private final JWTAuth signer;
  private final HttpClient http;
  private final AtomicReference<KeySet> keys = new AtomicReference<>();
  private final AtomicReference<Future<Void>> inFlight = new AtomicReference<>();
  private final AtomicLong lastKidRefetch = new AtomicLong(Long.MIN_VALUE);
  private volatile long refreshTimer = -1;
  private volatile boolean stopped;

  /**
   * A verified identity: the user, the email claim if any (not verified by FlowState), and the
   * token's {@code iat} (null if absent) and {@code exp}. Guests have a null {@code expiresAt}.
   */
  public record Identity(User user, String email, Instant issuedAt, Instant expiresAt) {
    /** An identity without email or issue time (guests, tests). */
    public Identity(User user, Instant expiresAt) {
      this(user, null, null, expiresAt);
    }
  }

  /** The JWTAuth that verifies with every current key, and the key ids the JWKS published. */
  private record KeySet(JWTAuth auth, Set<String> kids) {
  }

  public TokenVerifier(Vertx vertx, GatewayConfig.Jwt config) {
    if (config.key() == null && config.jwksUrl() == null) {
      throw new IllegalArgumentException("JWT config needs a key or a JWKS URL");
    }
    this.vertx = vertx;
    this.config = config;
    this.verifyOptions = new JWTOptions().setLeeway(0);
    if (config.issuer() != null) {
      verifyOptions.setIssuer(config.issuer());
    }
    if (config.audience() != null) {
      verifyOptions.setAudience(List.of(config.audience()));
    }
    this.staticKey = config.key() == null ? null
        : new PubSecKeyOptions().setAlgorithm(config.algorithm()).setBuffer(config.key());
    if (staticKey != null) {
      keys.set(new KeySet(JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(staticKey)
          .setJWTOptions(verifyOptions)), Set.of()));
    }
    this.signer = config.signsTokens()
        ? JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
            new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.key())))
        : null;
    this.http = config.jwksUrl() == null ? null : vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) JWKS_TIMEOUT_MS / 2)
        .setIdleTimeout((int) JWKS_TIMEOUT_MS)
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
  }

  /**
   * Fetches the JWKS (when configured) and schedules its refresh; fails with
   * {@code "cannot fetch JWKS from <url>: ..."} if the first fetch fails. Completes at once otherwise.
   */
  public Future<Void> start() {
    if (config.jwksUrl() == null) {
      return Future.succeededFuture();
    }
    return fetchKeys()
        .recover(e -> Future.failedFuture("cannot fetch JWKS from " + config.jwksUrl() + ": " + e.getMessage()))
        .onSuccess(v -> {
          if (config.jwksRefreshMs() > 0 && !stopped) {
            refreshTimer = vertx.setPeriodic(config.jwksRefreshMs(), id -> fetchKeys().onFailure(e -> LOG.warning(
                "JWKS refresh from " + config.jwksUrl() + " failed, keeping the previous keys: " + e.getMessage())));
          }
        });
  }

  /** Cancels the JWKS refresh and closes its HTTP client. */
  public void stop() {
    stopped = true;
    long timer = refreshTimer;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      refreshTimer = -1;
    }
    if (http != null) {
      http.close();
    }
  }

  /** Verifies {@code token}; a failed future (short message) if it is not acceptable for any reason. */
  public Future<Identity> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture("missing token");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      return Future.failedFuture("token too long");
    }
    JsonObject header = header(token);
    if (header == null) {
      return Future.failedFuture("malformed token");
    }
    Object kid = header.getValue("kid");
    if (kid != null && !(kid instanceof String s && !s.isEmpty() && s.length() <= MAX_KID_CHARS)) {
      return Future.failedFuture("malformed key id");
    }
    KeySet current = keys.get();
    if (config.jwksUrl() != null && kid != null && (current == null || !current.kids().contains(kid))) {
      // Unknown key id: the provider may have rotated its keys. Re-fetch (rate-limited), then try
      // once with whatever keys we have (a PEM key without id may still match).
      return refetchForUnknownKid((String) kid).transform(ar -> authenticate(keys.get(), token));
    }
    return authenticate(current, token);
  }

  /**
   * Signs an access token for FlowState's own accounts (HS256 secret only): {@code claims} plus
   * {@code iss}/{@code aud} from the config when set, {@code iat} now and {@code exp} now + ttl.
   *
   * @throws IllegalStateException if this config does not sign tokens
   */
  public String sign(JsonObject claims, long ttlSeconds) {
    if (signer == null) {
      throw new IllegalStateException("this JWT configuration (" + config.algorithm()
          + (config.key() == null ? ", no key" : "") + ") does not sign tokens; only an HS256 secret does");
    }
    if (ttlSeconds <= 0) {
      throw new IllegalArgumentException("ttlSeconds must be positive");
    }
    long now = Instant.now().getEpochSecond();
    JsonObject payload = claims.copy().put("iat", now).put("exp", now + ttlSeconds);
    JWTOptions options = new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true);
    if (config.issuer() != null) {
      options.setIssuer(config.issuer());
    }
    if (config.audience() != null) {
      options.setAudience(List.of(config.audience()));
    }
    return signer.generateToken(payload, options);
  }

  private Future<Identity> authenticate(KeySet keySet, String token) {
    if (keySet == null) {
      return Future.failedFuture("no verification keys");
    }
    Future<io.vertx.ext.auth.User> user;
    try {
      user = keySet.auth().authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // vertx-auth-jwt throws (rather than fails) on some ill-typed claims, e.g. a numeric aud.
      return Future.failedFuture("invalid token: " + e.getMessage());
    }
    return user.transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture("invalid token: " + ar.cause().getMessage());
      }
      io.vertx.ext.auth.User u = ar.result();
      // vertx-auth-jwt keeps the verified claims under attributes().accessToken.
      return identity(u.attributes().getJsonObject("accessToken", u.principal()));
    });
  }

  private Future<Identity> identity(JsonObject claims) {
    String userClaim = config.userClaim() == null ? "sub" : config.userClaim();
    Object rawId = claims.getValue(userClaim);
    if (!(rawId instanceof String id) || id.isBlank() || id.length() > MAX_USER_ID_CHARS || Text.problem(id) != null) {
      return Future.failedFuture("token lacks a valid " + userClaim);
    }
    if (!(claims.getValue("exp") instanceof Number exp)) {
      return Future.failedFuture("token lacks exp");
    }
    Object iat = claims.getValue("iat");
    if (iat != null && !(iat instanceof Number)) {
      return Future.failedFuture("token has a malformed iat");
    }
    if (config.issuer() != null && !config.issuer().equals(claims.getValue("iss"))) {
      return Future.failedFuture("wrong issuer");
    }
    if (config.audience() != null && !audienceMatches(claims.getValue("aud"))) {
      return Future.failedFuture("wrong audience");
    }
    String name = null;
    if (config.nameClaim() != null && claims.getValue(config.nameClaim()) instanceof String n) {
      name = truncate(Text.clean(n).strip(), MAX_NAME_CHARS);
    }
    if (name == null || name.isEmpty()) {
      name = truncate(Text.clean(id), MAX_NAME_CHARS);
    }
    String email = null;
    if (config.emailClaim() != null && claims.getValue(config.emailClaim()) instanceof String e) {
      e = e.strip();
      if (!e.isEmpty() && e.length() <= MAX_EMAIL_CHARS && Text.problem(e) == null && Text.clean(e).equals(e)) {
        email = e;
      }
    }
    User user = new User(id, name, User.colorFor(id));
    return Future.succeededFuture(new Identity(user, email,
        iat == null ? null : Instant.ofEpochSecond(((Number) iat).longValue()),
        Instant.ofEpochSecond(exp.longValue())));
  }

  private boolean audienceMatches(Object aud) {
    if (aud instanceof String s) {
      return s.equals(config.audience());
    }
    if (aud instanceof JsonArray array) {
      return array.contains(config.audience());
    }
    return false;
  }

  /** At most {@code max} code points, never splitting a surrogate pair. */
  private static String truncate(String s, int max) {
    return s.codePointCount(0, s.length()) <= max ? s : s.substring(0, s.offsetByCodePoints(0, max));
  }

  /** The decoded JOSE header of a compact JWS (three non-empty segments), or null. */
  private static JsonObject header(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
      return null;
    }
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Re-fetches for an unknown kid unless one was done in the last 30 s; joins a fetch under way. */
  private Future<Void> refetchForUnknownKid(String kid) {
    Future<Void> running = inFlight.get();
    if (running != null) {
      return running;
    }
    long now = System.nanoTime();
    long last = lastKidRefetch.get();
    if (last != Long.MIN_VALUE && now - last < TimeUnit.MILLISECONDS.toNanos(UNKNOWN_KID_REFETCH_MS)) {
      return Future.failedFuture("unknown key id " + kid + " (JWKS re-fetched recently)");
    }
    if (!lastKidRefetch.compareAndSet(last, now)) {
      Future<Void> other = inFlight.get();
      return other != null ? other : Future.failedFuture("unknown key id " + kid);
    }
    LOG.info("token names unknown key id " + kid + ", re-fetching JWKS from " + config.jwksUrl());
    return fetchKeys().onFailure(e -> LOG.warning("JWKS re-fetch from " + config.jwksUrl()
        + " failed, keeping the previous keys: " + e.getMessage()));
  }

  /** Fetches the JWKS and swaps in the new key set; concurrent callers share one request. */
  private Future<Void> fetchKeys() {
    Promise<Void> promise = Promise.promise();
    Future<Void> running = inFlight.compareAndExchange(null, promise.future());
    if (running != null) {
      return running;
    }
    Future<Void> fetched;
    try {
      fetched = download().map(body -> {
        keys.set(keySet(body));
        return null;
      });
    } catch (RuntimeException e) {
      fetched = Future.failedFuture(e);
    }
    fetched.timeout(JWKS_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ar -> {
      inFlight.set(null);
      promise.handle(ar);
    });
    return promise.future();
  }

  private Future<Buffer> download() {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(config.jwksUrl())
        .setFollowRedirects(false).putHeader(HttpHeaders.ACCEPT, "application/json");
    return http.request(request).compose(req -> req.send()).compose(this::body);
  }

  private Future<Buffer> body(HttpClientResponse response) {
    if (response.statusCode() != 200) {
      response.exceptionHandler(e -> { });
      response.request().reset();
      return Future.failedFuture("HTTP " + response.statusCode());
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer();
    response.exceptionHandler(promise::tryFail);
    response.handler(chunk -> {
      if (body.length() + chunk.length() > MAX_JWKS_BYTES) {
        promise.tryFail("JWKS larger than " + MAX_JWKS_BYTES + " bytes");
        response.request().reset();
      } else {
        body.appendBuffer(chunk);
      }
    });
    response.endHandler(v -> promise.tryComplete(body));
    return promise.future();
  }

  /**
   * Builds one JWTAuth from the usable keys of a JWKS document (RSA/RS256 and EC P-256/ES256 with
   * {@code use} absent or {@code sig}) plus the PEM key if configured. Throws if no key is usable:
   * a JWTAuth without keys would accept unsigned tokens.
   */
  private KeySet keySet(Buffer body) {
    JsonArray published;
    try {
      published = new JsonObject(body).getJsonArray("keys");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a JWKS document");
    }
    if (published == null) {
      throw new IllegalArgumentException("JWKS has no \"keys\" array");
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(verifyOptions);
    if (staticKey != null) {
      options.addPubSecKey(staticKey);
    }
    Set<String> kids = new HashSet<>();
    List<String> skipped = new ArrayList<>();
    int usable = 0;
    for (Object entry : published) {
      String problem = unusable(entry);
      if (problem != null) {
        skipped.add(problem);
        continue;
      }
      JsonObject jwk = ((JsonObject) entry).copy();
      PRIVATE_MEMBERS.forEach(jwk::remove);
      jwk.put("alg", "RSA".equals(jwk.getString("kty")) ? "RS256" : "ES256");
      options.addJwk(jwk);
      usable++;
      if (jwk.getValue("kid") instanceof String kid) {
        kids.add(kid);
      }
    }
    if (!skipped.isEmpty()) {
      LOG.warning("JWKS from " + config.jwksUrl() + ": skipped " + String.join("; ", skipped));
    }
    if (usable == 0) {
      throw new IllegalArgumentException("JWKS has no usable RS256/ES256 signing key");
    }
    return new KeySet(JWTAuth.create(vertx, options), Set.copyOf(kids));
  }

  private static BigInteger unsigned(String base64url) {
    return new BigInteger(1, Base64.getUrlDecoder().decode(base64url));
  }

  /** Why a JWKS entry cannot be used, or null if it is an RS256 or ES256 (P-256) signing key. */
  private static String unusable(Object entry) {
    if (!(entry instanceof JsonObject jwk)) {
      return "a non-object entry";
    }
    String name = "key " + (jwk.getValue("kid") instanceof String kid ? kid : "without kid");
    Object use = jwk.getValue("use");
    if (use != null && !"sig".equals(use)) {
      return name + " (use " + use + ")";
    }
    Object kty = jwk.getValue("kty");
    Object alg = jwk.getValue("alg");
    if ("RSA".equals(kty)) {
      if (alg != null && !"RS256".equals(alg)) {
        return name + " (alg " + alg + ")";
      }
      if (!(jwk.getValue("n") instanceof String n) || !(jwk.getValue("e") instanceof String e)) {
        return name + " (RSA key without n/e)";
      }
      try {
        KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(unsigned(n), unsigned(e)));
        return null;
      } catch (GeneralSecurityException | IllegalArgumentException ex) {
        return name + " (invalid RSA key)";
      }
    }
    if ("EC".equals(kty)) {
      if (alg != null && !"ES256".equals(alg)) {
        return name + " (alg " + alg + ")";
      }
      if (!"P-256".equals(jwk.getValue("crv"))) {
        return name + " (curve " + jwk.getValue("crv") + ")";
      }
      if (!(jwk.getValue("x") instanceof String x) || !(jwk.getValue("y") instanceof String y)) {
        return name + " (EC key without x/y)";
      }
      try {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(unsigned(x), unsigned(y)),
            parameters.getParameterSpec(ECParameterSpec.class)));
        return null;
      } catch (GeneralSecurityException | IllegalArgumentException ex) {
        return name + " (invalid EC key)";
      }
    }
    return name + " (kty " + kty + ")";
  }
}
