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
 * Workspaces and their members ({@code /v1/workspaces…}): create (the caller becomes owner), list
 * what the caller belongs to, rename and delete (owner; deletion deletes its canvases), list
 * members (any member), add by email, change a role, remove (owner, or a member leaving). A
 * workspace always keeps an owner. Every membership change is announced, so live connections feel
 * it within a second (see {@code AccessGuard}). Invites live in {@link InviteApi}.
 */
public final class WorkspaceApi {
  private final Directory dir;
  private final Pool pool;

  public record WorkspaceView(String id, String name, String role, String createdAt) {
  }

  public record MemberView(UserRef user, String role) {
  }

  public record UserRef(String id, String email, String name, String color) {
  }

  public WorkspaceApi(Pool pool, RedisPublisher publisher, Channels channels) {
    this.dir = new Directory(pool, publisher, channels);
    this.pool = pool;
  }

  /** Handlers by OpenAPI operationId. */
  public Map<String, Handler<RoutingContext>> handlers() {
    Map<String, Handler<RoutingContext>> h = new LinkedHashMap<>();
    h.put("listWorkspaces", Api.of(200, this::list));
    h.put("createWorkspace", Api.of(201, this::create));
    h.put("getWorkspace", Api.of(200, this::get));
    h.put("renameWorkspace", Api.of(200, this::rename));
    h.put("deleteWorkspace", Api.of(204, this::delete));
    h.put("listMembers", Api.of(200, this::members));
    h.put("addMember", Api.of(201, this::addMember));
    h.put("setMemberRole", Api.of(200, this::setMemberRole));
    h.put("removeMember", Api.of(204, this::removeMember));
    return h;
  }

  private Future<Map<String, List<WorkspaceView>>> list(RoutingContext ctx) {
    return pool.preparedQuery("SELECT w.id, w.name, m.role, w.created_at FROM workspaces w JOIN workspace_members m"
            + " ON m.workspace_id = w.id WHERE m.user_id = $1 AND w.deleted_at IS NULL ORDER BY w.created_at, w.id")
        .execute(Tuple.of(Caller.id(ctx)))
        .map(rows -> Directory.listed("workspaces", rows, WorkspaceApi::view));
  }

  private Future<WorkspaceView> create(RoutingContext ctx) {
    String user = Caller.id(ctx);
    String name = Directory.name(Api.body(ctx).getString("name"));
    String id = UUID.randomUUID().toString();
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO workspaces (id, name, created_by)"
            + " VALUES ($1, $2, $3) RETURNING id, name, 'owner' AS role, created_at").execute(Tuple.of(id, name, user))
        .compose(rows -> conn.preparedQuery("INSERT INTO workspace_members (workspace_id, user_id, role)"
            + " VALUES ($1, $2, 'owner')").execute(Tuple.of(id, user)).map(view(rows.iterator().next()))))
        .compose(view -> dir.announce(AccessChange.member(id, user)).map(view));
  }

  private Future<WorkspaceView> get(RoutingContext ctx) {
    String ws = ctx.pathParam("workspaceId");
    String user = Caller.id(ctx);
    return dir.workspaceRole(ws, user, Role.VIEWER).compose(role -> fetch(ws, role));
  }

  private Future<WorkspaceView> rename(RoutingContext ctx) {
    String ws = ctx.pathParam("workspaceId");
    String name = Directory.name(Api.body(ctx).getString("name"));
    return dir.workspaceRole(ws, Caller.id(ctx), Role.OWNER)
        .compose(role -> pool.preparedQuery("UPDATE workspaces SET name = $2 WHERE id = $1").execute(Tuple.of(ws, name))
            .compose(r -> fetch(ws, role)));
  }

  private Future<Void> delete(RoutingContext ctx) {
    String ws = ctx.pathParam("workspaceId");
    return dir.workspaceRole(ws, Caller.id(ctx), Role.OWNER)
        .compose(role -> pool.withTransaction(conn -> conn.preparedQuery(
                "UPDATE workspaces SET deleted_at = now() WHERE id = $1").execute(Tuple.of(ws))
            .compose(r -> conn.preparedQuery("UPDATE canvases SET deleted_at = now() WHERE workspace_id = $1"
                + " AND deleted_at IS NULL").execute(Tuple.of(ws)))))
        .compose(r -> dir.announce(AccessChange.workspace(ws)));
  }

  private Future<Map<String, List<MemberView>>> members(RoutingContext ctx) {
    String ws = ctx.pathParam("workspaceId");
    return dir.workspaceRole(ws, Caller.id(ctx), Role.VIEWER)
        .compose(role -> pool.preparedQuery("SELECT u.id, u.email, u.name, u.color, m.role FROM workspace_members m"
            + " JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY m.added_at, u.id").execute(Tuple.of(ws)))
        .map(rows -> Directory.listed("members", rows, WorkspaceApi::member));
  }

  private Future<MemberView> addMember(RoutingContext ctx) {
    String ws = ctx.pathParam("workspaceId");
    var body = Api.body(ctx);
    Role role = Directory.role(body.getString("role"));
    String email = body.getString("email", "");
    return dir.workspaceRole(ws, Caller.id(ctx), Role.OWNER)
        .compose(mine -> dir.userByEmail(email))
        .compose(user -> pool.preparedQuery("INSERT INTO workspace_members (workspace_id, user_id, role)"
                + " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING").execute(Tuple.of(ws, user, role.wire()))
            .compose(r -> r.rowCount() == 0 ? Future.failedFuture(HttpErrors.conflict("already a member"))
                : dir.announce(AccessChange.member(ws, user)))
            .compose(v -> member(ws, user)));
  }

  private Future<MemberView> setMemberRole(RoutingContext ctx) {
    String ws = ctx.pathParam("workspaceId");
    String target = ctx.pathParam("userId");
    Role role = Directory.role(Api.body(ctx).getString("role"));
    return dir.workspaceRole(ws, Caller.id(ctx), Role.OWNER)
        .compose(mine -> pool.withTransaction(conn -> lockMembers(conn, ws).compose(members -> {
          Role current = members.get(target);
          if (current == null) {
            return Future.failedFuture(HttpErrors.notFound("not a member of this workspace"));
          }
          if (current == Role.OWNER && role != Role.OWNER && owners(members) == 1) {
            return Future.failedFuture(HttpErrors.conflict("a workspace keeps at least one owner"));
          }
          return conn.preparedQuery("UPDATE workspace_members SET role = $3 WHERE workspace_id = $1 AND user_id = $2")
              .execute(Tuple.of(ws, target, role.wire())).mapEmpty();
        })))
        .compose(v -> dir.announce(AccessChange.member(ws, target)))
        .compose(v -> member(ws, target));
  }

  private Future<Void> removeMember(RoutingContext ctx) {
    String ws = ctx.pathParam("workspaceId");
    String target = ctx.pathParam("userId");
    String caller = Caller.id(ctx);
    Role needed = caller.equals(target) ? Role.VIEWER : Role.OWNER;
    return dir.workspaceRole(ws, caller, needed)
        .compose(mine -> pool.withTransaction(conn -> lockMembers(conn, ws).compose(members -> {
          Role current = members.get(target);
          if (current == null) {
            return Future.failedFuture(HttpErrors.notFound("not a member of this workspace"));
          }
          if (current == Role.OWNER && owners(members) == 1) {
            return Future.failedFuture(HttpErrors.conflict("a workspace keeps at least one owner"));
          }
          // Removal is total: per-canvas roles in this workspace go too.
          return conn.preparedQuery("DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2")
              .execute(Tuple.of(ws, target))
              .compose(r -> conn.preparedQuery("DELETE FROM canvas_roles WHERE user_id = $2 AND canvas_id IN"
                  + " (SELECT id FROM canvases WHERE workspace_id = $1)").execute(Tuple.of(ws, target)))
              .mapEmpty();
        })))
        .compose(v -> dir.announce(AccessChange.member(ws, target)));
  }

  /** The members' roles, with the rows locked so that two demotions cannot leave no owner. */
  private static Future<Map<String, Role>> lockMembers(io.vertx.sqlclient.SqlConnection conn, String ws) {
    return conn.preparedQuery("SELECT user_id, role FROM workspace_members WHERE workspace_id = $1 FOR UPDATE")
        .execute(Tuple.of(ws)).map(rows -> {
          Map<String, Role> out = new LinkedHashMap<>();
          rows.forEach(r -> out.put(r.getString("user_id"), Role.parse(r.getString("role"))));
          return out;
        });
  }

  private static long owners(Map<String, Role> members) {
    return members.values().stream().filter(r -> r == Role.OWNER).count();
  }

  private Future<WorkspaceView> fetch(String ws, Role role) {
    return pool.preparedQuery("SELECT id, name, $2::text AS role, created_at FROM workspaces WHERE id = $1")
        .execute(Tuple.of(ws, role.wire())).map(rows -> view(rows.iterator().next()));
  }

  private Future<MemberView> member(String ws, String user) {
    return pool.preparedQuery("SELECT u.id, u.email, u.name, u.color, m.role FROM workspace_members m"
            + " JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 AND m.user_id = $2")
        .execute(Tuple.of(ws, user)).map(rows -> member(rows.iterator().next()));
  }

  static WorkspaceView view(Row r) {
    return new WorkspaceView(r.getString("id"), r.getString("name"), r.getString("role"),
        r.getOffsetDateTime("created_at").toInstant().toString());
  }

  private static MemberView member(Row r) {
    return new MemberView(new UserRef(r.getString("id"), r.getString("email"), r.getString("name"),
        r.getString("color")), r.getString("role"));
  }
}
