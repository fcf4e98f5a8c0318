package io.flowstate.gateway.account;

import io.flowstate.gateway.http.HttpErrors;
import io.flowstate.shared.protocol.User;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

/**
 * Accounts and refresh tokens in PostgreSQL. Refresh tokens are opaque random strings; only their
 * SHA-256 is stored. Each use rotates the token (the old one is revoked and points to its
 * successor); presenting a rotated token again means it leaked, so its whole family (the login it
 * came from) is revoked. Logout revokes one token, logout-all every token of the user and sets
 * {@code tokens_not_before}, which gateways compare with access tokens' {@code iat}.
 */
public final class AccountStore {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String REVOKED = "refresh token was revoked";

  private final Pool pool;

  /** An account as stored; {@code passwordHash} is null for identity-provider users. */
  record Account(String id, String email, String passwordHash, String name, String color) {
    User user() {
      return new User(id, name, color);
    }
  }

  public AccountStore(Pool pool) {
    this.pool = pool;
  }

  /** Creates an account; fails with {@code conflict} when the email is taken. */
  Future<Account> create(String email, String passwordHash, String name) {
    String id = UUID.randomUUID().toString();
    String color = User.colorFor(id);
    return pool.preparedQuery("INSERT INTO users (id, email, password_hash, name, color) VALUES ($1, $2, $3, $4, $5)"
            + " ON CONFLICT (email) DO NOTHING RETURNING id")
        .execute(Tuple.of(id, email, passwordHash, name, color))
        .compose(rows -> rows.rowCount() == 0
            ? Future.failedFuture(HttpErrors.conflict("an account with this email exists"))
            : Future.succeededFuture(new Account(id, email, passwordHash, name, color)));
  }

  Future<Account> byEmail(String email) {
    return one("SELECT id, email, password_hash, name, color FROM users WHERE email = $1", email);
  }

  Future<Account> byId(String id) {
    return one("SELECT id, email, password_hash, name, color FROM users WHERE id = $1", id);
  }

  /**
   * Makes sure a user known from an identity provider's token has a row (members and canvases
   * refer to users); an existing row, or one whose email another account holds, is left alone.
   */
  public Future<Void> ensure(User user, String email) {
    return pool.preparedQuery("INSERT INTO users (id, email, name, color) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .execute(Tuple.of(user.id(), email == null ? null : normalizeEmail(email), user.name(), user.color()))
        .compose(r -> r.rowCount() > 0 || email == null ? Future.succeededFuture()
            : pool.preparedQuery("INSERT INTO users (id, name, color) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(user.id(), user.name(), user.color())).mapEmpty());
  }

  Future<Account> updateProfile(String id, String name, String color) {
    return one("UPDATE users SET name = coalesce($2, name), color = coalesce($3, color) WHERE id = $1"
        + " RETURNING id, email, password_hash, name, color", id, name, color);
  }

  /** A new refresh token (starting a new family when {@code family} is null); returns the token. */
  Future<String> issueRefresh(SqlConnection conn, String userId, UUID family, long ttlSeconds, UUID id) {
    String token = randomToken();
    return conn.preparedQuery("INSERT INTO refresh_tokens (id, user_id, family, token_hash, expires_at)"
            + " VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(id, userId, family == null ? id : family, io.vertx.core.buffer.Buffer.buffer(hash(token)),
            OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(ttlSeconds)))
        .map(token);
  }

  Future<String> issueRefresh(String userId, long ttlSeconds) {
    return pool.withConnection(conn -> issueRefresh(conn, userId, null, ttlSeconds, UUID.randomUUID()));
  }

  /** The outcome of presenting a refresh token: the account and its successor token. */
  record Rotated(Account account, String refreshToken) {
  }

  /**
   * Rotates a refresh token in one transaction; fails with 401 when it is unknown, expired or
   * revoked (a revoked one also revokes its family: re-use detection).
   */
  Future<Rotated> rotate(String token, long ttlSeconds) {
    byte[] hash = hash(token);
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT id, user_id, family, expires_at < now() AS expired,"
            + " revoked_at IS NOT NULL AS revoked FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE")
        .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(hash)))
        .compose(rows -> {
          if (!rows.iterator().hasNext()) {
            return Future.failedFuture(HttpErrors.unauthorized("unknown refresh token"));
          }
          Row row = rows.iterator().next();
          UUID family = row.getUUID("family");
          if (row.getBoolean("revoked")) {
            return Future.failedFuture(HttpErrors.unauthorized(REVOKED));
          }
          if (row.getBoolean("expired")) {
            return Future.failedFuture(HttpErrors.unauthorized("refresh token expired"));
          }
          UUID next = UUID.randomUUID();
          String userId = row.getString("user_id");
          return issueRefresh(conn, userId, family, ttlSeconds, next)
              .compose(fresh -> conn.preparedQuery("UPDATE refresh_tokens SET revoked_at = now(), replaced_by = $2"
                      + " WHERE id = $1").execute(Tuple.of(row.getUUID("id"), next))
                  .compose(r -> oneOn(conn, "SELECT id, email, password_hash, name, color FROM users WHERE id = $1",
                      userId))
                  .map(account -> new Rotated(account, fresh)));
        }))
        // Re-use of a rotated token: revoke its family, outside the (rolled back) transaction.
        .recover(e -> e instanceof HttpErrors.ApiException && REVOKED.equals(e.getMessage())
            ? revokeFamilyOf(hash).compose(v -> Future.failedFuture(e)) : Future.failedFuture(e));
  }

  private Future<Void> revokeFamilyOf(byte[] hash) {
    return pool.preparedQuery("UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND family ="
        + " (SELECT family FROM refresh_tokens WHERE token_hash = $1)")
        .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(hash))).mapEmpty();
  }

  /** Revokes one refresh token (logout); unknown tokens are ignored. */
  Future<Void> revoke(String token) {
    return pool.preparedQuery("UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(hash(token)))).mapEmpty();
  }

  /** Revokes every refresh token of a user and every access token issued up to now; returns that time. */
  Future<OffsetDateTime> revokeAll(String userId) {
    return pool.withTransaction(conn -> conn.preparedQuery(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(userId))
        .compose(r -> conn.preparedQuery("UPDATE users SET tokens_not_before = now() WHERE id = $1"
            + " RETURNING tokens_not_before").execute(Tuple.of(userId)))
        .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getOffsetDateTime(0)
            : OffsetDateTime.now(ZoneOffset.UTC)));
  }

  static String normalizeEmail(String email) {
    return email.strip().toLowerCase(java.util.Locale.ROOT);
  }

  /** A random URL-safe token of 32 bytes. */
  public static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** SHA-256 of a token's UTF-8 bytes: what is stored instead of the token. */
  public static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Future<Account> one(String sql, Object... args) {
    return pool.withConnection(conn -> oneOn(conn, sql, args));
  }

  private static Future<Account> oneOn(SqlConnection conn, String sql, Object... args) {
    return conn.preparedQuery(sql).execute(Tuple.wrap(java.util.Arrays.asList(args))).map(rows -> {
      if (!rows.iterator().hasNext()) {
        return null;
      }
      Row r = rows.iterator().next();
      return new Account(r.getString("id"), r.getString("email"), r.getString("password_hash"), r.getString("name"),
          r.getString("color"));
    });
  }
}
