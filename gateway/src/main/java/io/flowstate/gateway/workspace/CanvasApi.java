package io.flowstate.gateway.workspace;

import io.flowstate.gateway.http.Api;
import io.flowstate.gateway.http.Caller;
import io.flowstate.gateway.http.HttpErrors;
import io.flowstate.shared.access.AccessChange;
import io.flowstate.shared.access.Role;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.redis.RedisPublisher;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Canvases ({@code /v1/canvases…}, {@code /v1/workspaces/{id}/canvases}): a canvas is a room whose
 * id is the canvas id. Editors create and rename; owners delete (a deleted canvas refuses joins and
 * ops at once, live members get {@code left}; its op log stays until purged) and set per-canvas
 * roles that override the workspace role for one user (also granting a non-member this canvas).
 */
public final class CanvasApi {
  private final Directory dir;
  private final Pool pool;

  public record CanvasView(String id, String workspaceId, String name, String role, String createdAt) {
  }

  public record CanvasRoleView(String userId, String role) {
  }

  /** Canvases a user can see, with the effective role; {@code $1} is the user. */
  private static final String VISIBLE = "SELECT c.id, c.workspace_id, c.name, c.created_at,"
      + " coalesce(cr.role, m.role) AS role FROM canvases c"
      + " JOIN workspaces w ON w.id = c.workspace_id AND w.deleted_at IS NULL"
      + " LEFT JOIN canvas_roles cr ON cr.canvas_id = c.id AND cr.user_id = $1"
      + " LEFT JOIN workspace_members m ON m.workspace_id = c.workspace_id AND m.user_id = $1"
      + " WHERE c.deleted_at IS NULL AND coalesce(cr.role, m.role) IS NOT NULL";

  public CanvasApi(Pool pool, RedisPublisher publisher, Channels channels) {
    this.dir = new Directory(pool, publisher, channels);
    this.pool = pool;
  }

  public Map<String, Handler<RoutingContext>> handlers() {
    Map<String, Handler<RoutingContext>> h = new LinkedHashMap<>();
    h.put("listCanvases", Api.of(200, this::listInWorkspace));
    h.put("createCanvas", Api.of(201, this::create));
    h.put("listMyCanvases", Api.of(200, this::listMine));
    h.put("getCanvas", Api.of(200, this::get));
    h.put("renameCanvas", Api.of(200, this::rename));
    h.put("deleteCanvas", Api.of(204, this::delete));
    h.put("setCanvasRole", Api.of(200, this::setRole));
    h.put("clearCanvasRole", Api.of(204, this::clearRole));
    return h;
  }

  private Future<Map<String, List<CanvasView>>> listInWorkspace(RoutingContext ctx) {
    String ws = ctx.pathParam("workspaceId");
    String user = Caller.id(ctx);
    return dir.workspaceRole(ws, user, Role.VIEWER)
        .compose(role -> pool.preparedQuery(VISIBLE + " AND c.workspace_id = $2 ORDER BY c.created_at, c.id")
            .execute(Tuple.of(user, ws)))
        .map(CanvasApi::list);
  }

  private Future<Map<String, List<CanvasView>>> listMine(RoutingContext ctx) {
    return pool.preparedQuery(VISIBLE + " ORDER BY c.created_at, c.id").execute(Tuple.of(Caller.id(ctx)))
        .map(CanvasApi::list);
  }

  private Future<CanvasView> create(RoutingContext ctx) {
    String ws = ctx.pathParam("workspaceId");
    String user = Caller.id(ctx);
    String name = Directory.name(Api.body(ctx).getString("name"));
    String id = UUID.randomUUID().toString();
    return dir.workspaceRole(ws, user, Role.EDITOR)
        .compose(role -> pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO canvases (id, workspace_id,"
                + " name, created_by) VALUES ($1, $2, $3, $4) RETURNING created_at").execute(Tuple.of(id, ws, name, user))
                .compose(rows -> conn.preparedQuery("INSERT INTO rooms (id) VALUES ($1)").execute(Tuple.of(id))
                    .map(rows)))
            .map(rows -> new CanvasView(id, ws, name, role.wire(),
                rows.iterator().next().getOffsetDateTime(0).toInstant().toString())));
  }

  private Future<CanvasView> get(RoutingContext ctx) {
    return dir.canvasRole(ctx.pathParam("canvasId"), Caller.id(ctx), Role.VIEWER).map(CanvasApi::view);
  }

  private Future<CanvasView> rename(RoutingContext ctx) {
    String canvas = ctx.pathParam("canvasId");
    String name = Directory.name(Api.body(ctx).getString("name"));
    return dir.canvasRole(canvas, Caller.id(ctx), Role.EDITOR)
        .compose(c -> pool.preparedQuery("UPDATE canvases SET name = $2 WHERE id = $1").execute(Tuple.of(canvas, name))
            .map(r -> new CanvasView(c.canvas(), c.workspace(), name, c.role().wire(), c.createdAt())));
  }

  private Future<Void> delete(RoutingContext ctx) {
    String canvas = ctx.pathParam("canvasId");
    return dir.canvasRole(canvas, Caller.id(ctx), Role.OWNER)
        .compose(c -> pool.preparedQuery("UPDATE canvases SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL")
            .execute(Tuple.of(canvas)))
        .compose(r -> dir.announce(AccessChange.canvas(canvas, null)));
  }

  private Future<CanvasRoleView> setRole(RoutingContext ctx) {
    String canvas = ctx.pathParam("canvasId");
    String target = ctx.pathParam("userId");
    Role role = Directory.role(Api.body(ctx).getString("role"));
    return requireWorkspaceOwner(canvas, Caller.id(ctx))
        .compose(c -> dir.requireUser(target))
        .compose(v -> pool.preparedQuery("INSERT INTO canvas_roles (canvas_id, user_id, role) VALUES ($1, $2, $3)"
            + " ON CONFLICT (canvas_id, user_id) DO UPDATE SET role = EXCLUDED.role").execute(Tuple.of(canvas, target,
            role.wire())))
        .compose(r -> dir.announce(AccessChange.canvas(canvas, target)))
        .map(v -> new CanvasRoleView(target, role.wire()));
  }

  private Future<Void> clearRole(RoutingContext ctx) {
    String canvas = ctx.pathParam("canvasId");
    String target = ctx.pathParam("userId");
    return requireWorkspaceOwner(canvas, Caller.id(ctx))
        .compose(c -> pool.preparedQuery("DELETE FROM canvas_roles WHERE canvas_id = $1 AND user_id = $2")
            .execute(Tuple.of(canvas, target)))
        .compose(r -> r.rowCount() == 0 ? Future.failedFuture(HttpErrors.notFound("no per-canvas role for this user"))
            : dir.announce(AccessChange.canvas(canvas, target)));
  }

  /** Per-canvas roles are managed by the workspace's owners (an override cannot promote itself). */
  private Future<Directory.CanvasRole> requireWorkspaceOwner(String canvas, String user) {
    return dir.canvasRole(canvas, user, Role.VIEWER).compose(c -> c.workspaceRole() == Role.OWNER
        ? Future.succeededFuture(c)
        : Future.failedFuture(HttpErrors.forbidden("per-canvas roles are set by the workspace's owners")));
  }

  private static Map<String, List<CanvasView>> list(io.vertx.sqlclient.RowSet<Row> rows) {
    return Directory.listed("canvases", rows, r -> new CanvasView(r.getString("id"), r.getString("workspace_id"),
        r.getString("name"), r.getString("role"), r.getOffsetDateTime("created_at").toInstant().toString()));
  }

  private static CanvasView view(Directory.CanvasRole c) {
    return new CanvasView(c.canvas(), c.workspace(), c.name(), c.role().wire(), c.createdAt());
  }
}
