package io.flowstate.gateway.auth;

import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.Text;
import io.flowstate.shared.protocol.User;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Instant;
import java.util.List;

/**
 * Verifies access tokens (JWT, via vertx-auth-jwt) at the WebSocket handshake and on
 * {@code refresh}: signature (HS256 secret, or RS256/ES256 public key of an identity provider),
 * expiry, issuer and audience. The token's {@code sub} becomes the user id, the configured name
 * claim the display name. Any failure is a plain "invalid token": callers answer 401 or 1008.
 */
public final class TokenVerifier {
  private final JWTAuth auth;
  private final GatewayConfig.Jwt config;

  /** A verified identity and when its token stops being valid. */
  public record Identity(User user, Instant expiresAt) {
  }

  public TokenVerifier(Vertx vertx, GatewayConfig.Jwt config) {
    this.config = config;
    JWTOptions options = new JWTOptions().setLeeway(0);
    if (config.issuer() != null) {
      options.setIssuer(config.issuer());
    }
    if (config.audience() != null) {
      options.setAudience(List.of(config.audience()));
    }
    this.auth = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(config.algorithm()).setBuffer(config.key()))
        .setJWTOptions(options));
  }

  public Future<Identity> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture("missing token");
    }
    return auth.authenticate(new TokenCredentials(token)).compose(user -> {
      // vertx-auth-jwt keeps the verified claims under attributes().accessToken.
      var claims = user.attributes().getJsonObject("accessToken", user.principal());
      String sub = claims.getString("sub");
      Object exp = claims.getValue("exp");
      if (sub == null || sub.isBlank() || sub.length() > 128 || Text.problem(sub) != null || !(exp instanceof Number)) {
        return Future.failedFuture("token lacks sub or exp");
      }
      if (config.audience() != null && !audienceMatches(claims.getValue("aud"))) {
        return Future.failedFuture("wrong audience");
      }
      if (config.issuer() != null && !config.issuer().equals(claims.getString("iss"))) {
        return Future.failedFuture("wrong issuer");
      }
      String name = Text.clean(String.valueOf(claims.getValue(config.nameClaim(), sub))).strip();
      if (name.isEmpty()) {
        name = Text.clean(sub);
      }
      User identity = new User(sub, name.length() > 64 ? name.substring(0, 64) : name,
          User.colorFor(sub));
      return Future.succeededFuture(new Identity(identity, Instant.ofEpochSecond(((Number) exp).longValue())));
    });
  }

  private boolean audienceMatches(Object aud) {
    if (aud instanceof String s) {
      return s.equals(config.audience());
    }
    if (aud instanceof io.vertx.core.json.JsonArray array) {
      return array.contains(config.audience());
    }
    return false;
  }
}
