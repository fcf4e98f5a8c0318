package io.flowstate.gateway.workspace;

import io.flowstate.gateway.http.HttpErrors;
import io.flowstate.shared.access.AccessChange;
import io.flowstate.shared.access.Role;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.redis.RedisPublisher;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * What the workspace and canvas APIs share: the caller's role in a workspace or on a canvas (read
 * fresh from PostgreSQL: the HTTP API never acts on a cached role), and the announcement of a
 * committed access change to every gateway and sequencer over Redis. A lost announcement is
 * bounded by the access cache's time to live.
 */
final class Directory {
  private static final Logger LOG = Logger.getLogger(Directory.class.getName());

  final Pool pool;
  private final RedisPublisher publisher;
  private final Channels channels;

  Directory(Pool pool, RedisPublisher publisher, Channels channels) {
    this.pool = pool;
    this.publisher = publisher;
    this.channels = channels;
  }

  /** The caller's role in a live workspace: 404 if there is none, 403 if below {@code min}. */
  Future<Role> workspaceRole(String workspace, String user, Role min) {
    return pool.preparedQuery("SELECT w.id, m.role FROM workspaces w LEFT JOIN workspace_members m"
            + " ON m.workspace_id = w.id AND m.user_id = $2 WHERE w.id = $1 AND w.deleted_at IS NULL")
        .execute(Tuple.of(workspace, user))
        .map(rows -> {
          if (!rows.iterator().hasNext()) {
            throw HttpErrors.notFound("no workspace '" + workspace + "'");
          }
          return require(Role.parse(rows.iterator().next().getString("role")), min, "workspace");
        });
  }

  /** A live canvas and the caller's effective role on it (override, else workspace role). */
  record CanvasRole(String canvas, String workspace, String name, String createdAt, Role role, Role workspaceRole) {
  }

  /** The caller's effective role on a live canvas: 404 if there is none, 403 if below {@code min}. */
  Future<CanvasRole> canvasRole(String canvas, String user, Role min) {
    return pool.preparedQuery("SELECT c.id, c.workspace_id, c.name, c.created_at, cr.role AS override, m.role AS member"
            + " FROM canvases c JOIN workspaces w ON w.id = c.workspace_id AND w.deleted_at IS NULL"
            + " LEFT JOIN canvas_roles cr ON cr.canvas_id = c.id AND cr.user_id = $2"
            + " LEFT JOIN workspace_members m ON m.workspace_id = c.workspace_id AND m.user_id = $2"
            + " WHERE c.id = $1 AND c.deleted_at IS NULL")
        .execute(Tuple.of(canvas, user))
        .map(rows -> {
          if (!rows.iterator().hasNext()) {
            throw HttpErrors.notFound("no canvas '" + canvas + "'");
          }
          Row r = rows.iterator().next();
          Role member = Role.parse(r.getString("member"));
          Role override = Role.parse(r.getString("override"));
          Role effective = override != null ? override : member;
          require(effective, min, "canvas");
          return new CanvasRole(r.getString("id"), r.getString("workspace_id"), r.getString("name"),
              r.getOffsetDateTime("created_at").toInstant().toString(), effective, member);
        });
  }

  private static Role require(Role role, Role min, String what) {
    if (role == null) {
      throw HttpErrors.forbidden("you are not a member of this " + what);
    }
    if (!role.atLeast(min)) {
      throw HttpErrors.forbidden("this needs the " + min.wire() + " role or better; yours is " + role.wire());
    }
    return role;
  }

  /** The id of the account with this email; 404 when there is none. */
  Future<String> userByEmail(String email) {
    return pool.preparedQuery("SELECT id FROM users WHERE email = $1")
        .execute(Tuple.of(email.strip().toLowerCase(java.util.Locale.ROOT)))
        .map(rows -> {
          if (!rows.iterator().hasNext()) {
            throw HttpErrors.notFound("no account with that email");
          }
          return rows.iterator().next().getString("id");
        });
  }

  /** Fails with 404 unless an account with this id exists. */
  Future<Void> requireUser(String user) {
    return pool.preparedQuery("SELECT 1 FROM users WHERE id = $1").execute(Tuple.of(user))
        .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(HttpErrors.notFound("no user '" + user + "'"))
            : Future.succeededFuture());
  }

  /** Tells every gateway and sequencer; never fails the request (the cache TTL bounds a loss). */
  Future<Void> announce(AccessChange change) {
    return publisher.publish(channels.access(), change.encode()).recover(e -> {
      LOG.warning("could not announce an access change (caches expire it): " + e.getMessage());
      return Future.succeededFuture();
    });
  }

  /** A JSON list body {@code {key: [item, …]}} of the rows, each mapped by {@code item}. */
  static <T> Map<String, List<T>> listed(String key, RowSet<Row> rows, Function<Row, T> item) {
    List<T> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(item.apply(r)));
    return Map.of(key, out);
  }

  /** A role from a request body; 400 when it is not one. */
  static Role role(String wire) {
    Role role = Role.parse(wire);
    if (role == null) {
      throw HttpErrors.badRequest("role must be one of owner, editor, commenter, viewer");
    }
    return role;
  }

  /** A trimmed name of 1..100 characters. */
  static String name(String raw) {
    String name = raw == null ? "" : io.flowstate.shared.protocol.Text.clean(raw).strip();
    if (name.isEmpty() || name.length() > 100) {
      throw HttpErrors.badRequest("name must have 1 to 100 characters");
    }
    return name;
  }
}
