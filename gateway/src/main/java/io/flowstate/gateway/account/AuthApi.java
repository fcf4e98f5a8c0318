package io.flowstate.gateway.account;

import io.flowstate.gateway.auth.TokenVerifier;
import io.flowstate.gateway.http.Api;
import io.flowstate.gateway.http.Caller;
import io.flowstate.gateway.http.HttpErrors;
import io.flowstate.shared.access.AccessChange;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.Text;
import io.flowstate.shared.redis.RedisPublisher;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sign-up, login, token refresh, logout and the caller's profile ({@code /v1/auth/*},
 * {@code /v1/me}). Access tokens are short-lived JWTs signed with the server's HS256 secret;
 * refresh tokens are opaque and rotate on every use ({@link AccountStore}). Login answers the same
 * {@code invalid_credentials} after the same bcrypt work whether the email is unknown or the
 * password wrong, so it reveals neither. Without an HS256 secret (an external identity provider
 * issues the tokens) the account operations answer {@code not_found}.
 */
public final class AuthApi {
  private static final String INVALID = "email or password is wrong";

  private final GatewayConfig.Accounts config;
  private final AccountStore store;
  private final Passwords passwords;
  private final TokenVerifier tokens;
  private final boolean enabled;
  private final RedisPublisher publisher;
  private final Channels channels;

  /** The public view of an account. */
  public record UserView(String id, String email, String name, String color) {
  }

  /** What signup, login and refresh answer. */
  public record Session(UserView user, String accessToken, String refreshToken, String tokenType, long expiresIn,
      long refreshExpiresIn) {
  }

  public AuthApi(Vertx vertx, GatewayConfig config, AccountStore store, TokenVerifier tokens, RedisPublisher publisher,
      Channels channels) {
    this.config = config.accounts();
    this.store = store;
    this.passwords = new Passwords(vertx, config.accounts().bcryptCost());
    this.tokens = tokens;
    this.enabled = tokens != null && config.jwt() != null && config.jwt().signsTokens();
    this.publisher = publisher;
    this.channels = channels;
  }

  /** Handlers by OpenAPI operationId. */
  public Map<String, Handler<RoutingContext>> handlers() {
    Map<String, Handler<RoutingContext>> h = new LinkedHashMap<>();
    h.put("signup", Api.of(201, this::signup));
    h.put("login", Api.of(200, this::login));
    h.put("refresh", Api.of(200, this::refresh));
    h.put("logout", Api.of(204, this::logout));
    h.put("logoutAll", Api.of(204, this::logoutAll));
    h.put("getMe", Api.of(200, this::getMe));
    h.put("updateMe", Api.of(200, this::updateMe));
    return h;
  }

  private Future<Session> signup(RoutingContext ctx) {
    requireEnabled();
    JsonObject body = Api.body(ctx);
    String email = email(body.getString("email"));
    String password = body.getString("password", "");
    if (password.length() < 8) {
      throw HttpErrors.badRequest("password must have at least 8 characters");
    }
    String name = displayName(body.getString("name"), email.substring(0, email.indexOf('@')));
    return passwords.hash(password)
        .compose(hash -> store.create(email, hash, name))
        .compose(this::session);
  }

  private Future<Session> login(RoutingContext ctx) {
    requireEnabled();
    JsonObject body = Api.body(ctx);
    String email = AccountStore.normalizeEmail(body.getString("email", ""));
    String password = body.getString("password", "");
    return store.byEmail(email).compose(account -> {
      Future<Boolean> ok = account == null || account.passwordHash() == null
          ? passwords.verifyUnknown(password) : passwords.verify(password, account.passwordHash());
      return ok.compose(verified -> verified ? session(account)
          : Future.failedFuture(new HttpErrors.ApiException(401, "invalid_credentials", INVALID)));
    });
  }

  private Future<Session> refresh(RoutingContext ctx) {
    requireEnabled();
    String token = Api.body(ctx).getString("refreshToken", "");
    return store.rotate(token, config.refreshTokenTtlSeconds())
        .map(rotated -> session(rotated.account(), rotated.refreshToken()));
  }

  private Future<Void> logout(RoutingContext ctx) {
    requireEnabled();
    return store.revoke(Api.body(ctx).getString("refreshToken", ""));
  }

  private Future<Void> logoutAll(RoutingContext ctx) {
    String user = Caller.id(ctx);
    return store.revokeAll(user).compose(at -> publisher.publish(channels.access(),
        AccessChange.revoked(user, at.toEpochSecond()).encode()).otherwiseEmpty());
  }

  private Future<UserView> getMe(RoutingContext ctx) {
    TokenVerifier.Identity caller = Caller.of(ctx);
    return store.byId(caller.user().id()).map(account -> account == null
        ? new UserView(caller.user().id(), caller.email(), caller.user().name(), caller.user().color())
        : view(account));
  }

  private Future<UserView> updateMe(RoutingContext ctx) {
    String user = Caller.id(ctx);
    JsonObject body = Api.body(ctx);
    String name = body.containsKey("name") ? displayName(body.getString("name"), null) : null;
    String color = body.getString("color");
    if (color != null && !color.matches("#[0-9a-fA-F]{6}")) {
      throw HttpErrors.badRequest("color must look like #1a2b3c");
    }
    return store.updateProfile(user, name, color).compose(account -> account == null
        ? Future.failedFuture(HttpErrors.notFound("no account for this token")) : Future.succeededFuture(view(account)));
  }

  private Future<Session> session(AccountStore.Account account) {
    return store.issueRefresh(account.id(), config.refreshTokenTtlSeconds()).map(refresh -> session(account, refresh));
  }

  private Session session(AccountStore.Account account, String refreshToken) {
    JsonObject claims = new JsonObject().put("sub", account.id()).put("name", account.name());
    if (account.email() != null) {
      claims.put("email", account.email());
    }
    String access = tokens.sign(claims, config.accessTokenTtlSeconds());
    return new Session(view(account), access, refreshToken, "Bearer", config.accessTokenTtlSeconds(),
        config.refreshTokenTtlSeconds());
  }

  private static UserView view(AccountStore.Account a) {
    return new UserView(a.id(), a.email(), a.name(), a.color());
  }

  private void requireEnabled() {
    if (!enabled) {
      throw HttpErrors.notFound("this server has no local accounts: it trusts an external identity provider");
    }
  }

  private static String email(String raw) {
    String email = raw == null ? "" : AccountStore.normalizeEmail(raw);
    int at = email.indexOf('@');
    if (at < 1 || at != email.lastIndexOf('@') || at == email.length() - 1 || email.length() > 254
        || Text.problem(email) != null || email.chars().anyMatch(Character::isWhitespace)) {
      throw HttpErrors.badRequest("email is not a valid address");
    }
    return email;
  }

  /** A trimmed display name of 1..64 characters; {@code fallback} when absent. */
  static String displayName(String raw, String fallback) {
    String name = raw == null ? fallback : Text.clean(raw).strip();
    if (name == null || name.isEmpty() || name.length() > 64) {
      throw HttpErrors.badRequest("name must have 1 to 64 characters");
    }
    return name;
  }
}
