package io.flowstate.gateway.workspace;

import io.flowstate.gateway.account.AccountStore;
import io.flowstate.gateway.http.Api;
import io.flowstate.gateway.http.Caller;
import io.flowstate.gateway.http.HttpErrors;
import io.flowstate.shared.access.AccessChange;
import io.flowstate.shared.access.Role;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.redis.RedisPublisher;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Invite links: an owner creates one with a role and a lifetime (default and maximum configured);
 * anyone signed in who has the link's token can accept it until it expires or is revoked, and
 * becomes a member with that role (an existing stronger role is kept). Only the token's SHA-256
 * is stored, so the link is shown once, at creation.
 */
public final class InviteApi {
  private final Directory dir;
  private final Pool pool;
  private final GatewayConfig.Accounts config;

  public record InviteView(String id, String role, String expiresAt, String createdAt, String token, String url) {
  }

  public record Accepted(WorkspaceApi.WorkspaceView workspace, String role) {
  }

  public InviteApi(Pool pool, RedisPublisher publisher, Channels channels, GatewayConfig.Accounts config) {
    this.dir = new Directory(pool, publisher, channels);
    this.pool = pool;
    this.config = config;
  }

  public Map<String, Handler<RoutingContext>> handlers() {
    Map<String, Handler<RoutingContext>> h = new LinkedHashMap<>();
    h.put("createInvite", Api.of(201, this::create));
    h.put("listInvites", Api.of(200, this::list));
    h.put("revokeInvite", Api.of(204, this::revoke));
    h.put("acceptInvite", Api.of(200, this::accept));
    return h;
  }

  private Future<InviteView> create(RoutingContext ctx) {
    String ws = ctx.pathParam("workspaceId");
    var body = Api.body(ctx);
    Role role = Directory.role(body.getString("role"));
    long ttl = body.getLong("expiresInSeconds", config.inviteTtlSeconds());
    if (ttl < 60 || ttl > config.maxInviteTtlSeconds()) {
      throw HttpErrors.badRequest("expiresInSeconds must be between 60 and " + config.maxInviteTtlSeconds());
    }
    String user = Caller.id(ctx);
    String token = AccountStore.randomToken();
    UUID id = UUID.randomUUID();
    return dir.workspaceRole(ws, user, Role.OWNER)
        .compose(mine -> pool.preparedQuery("INSERT INTO invites (id, workspace_id, token_hash, role, created_by,"
                + " expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, role, expires_at, created_at")
            .execute(Tuple.of(id, ws, Buffer.buffer(AccountStore.hash(token)), role.wire(), user,
                OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(ttl))))
        .map(rows -> {
          InviteView v = view(rows.iterator().next());
          return new InviteView(v.id(), v.role(), v.expiresAt(), v.createdAt(), token, url(ctx, token));
        });
  }

  private Future<Map<String, List<InviteView>>> list(RoutingContext ctx) {
    String ws = ctx.pathParam("workspaceId");
    return dir.workspaceRole(ws, Caller.id(ctx), Role.OWNER)
        .compose(mine -> pool.preparedQuery("SELECT id, role, expires_at, created_at FROM invites WHERE workspace_id = $1"
            + " AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at").execute(Tuple.of(ws)))
        .map(rows -> Directory.listed("invites", rows, InviteApi::view));
  }

  private Future<Void> revoke(RoutingContext ctx) {
    String ws = ctx.pathParam("workspaceId");
    UUID id;
    try {
      id = UUID.fromString(ctx.pathParam("inviteId"));
    } catch (IllegalArgumentException e) {
      throw HttpErrors.notFound("no such invite");
    }
    return dir.workspaceRole(ws, Caller.id(ctx), Role.OWNER)
        .compose(mine -> pool.preparedQuery("UPDATE invites SET revoked_at = now() WHERE id = $1 AND workspace_id = $2"
            + " AND revoked_at IS NULL").execute(Tuple.of(id, ws)))
        .compose(r -> r.rowCount() == 0 ? Future.failedFuture(HttpErrors.notFound("no such invite"))
            : Future.succeededFuture());
  }

  private Future<Accepted> accept(RoutingContext ctx) {
    String user = Caller.id(ctx);
    byte[] hash = AccountStore.hash(ctx.pathParam("token"));
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT i.workspace_id, i.role FROM invites i"
                + " JOIN workspaces w ON w.id = i.workspace_id AND w.deleted_at IS NULL"
                + " WHERE i.token_hash = $1 AND i.revoked_at IS NULL AND i.expires_at > now()")
            .execute(Tuple.of(Buffer.buffer(hash)))
            .compose(rows -> {
              if (!rows.iterator().hasNext()) {
                return Future.failedFuture(HttpErrors.notFound("this invite does not exist, expired or was revoked"));
              }
              Row invite = rows.iterator().next();
              String ws = invite.getString("workspace_id");
              Role offered = Role.parse(invite.getString("role"));
              return conn.preparedQuery("SELECT role FROM workspace_members WHERE workspace_id = $1 AND user_id = $2"
                      + " FOR UPDATE").execute(Tuple.of(ws, user))
                  .compose(current -> {
                    Role existing = current.iterator().hasNext()
                        ? Role.parse(current.iterator().next().getString("role")) : null;
                    Role kept = existing != null && existing.atLeast(offered) ? existing : offered;
                    return conn.preparedQuery("INSERT INTO workspace_members (workspace_id, user_id, role)"
                            + " VALUES ($1, $2, $3) ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = EXCLUDED.role")
                        .execute(Tuple.of(ws, user, kept.wire()))
                        .compose(r -> conn.preparedQuery("SELECT id, name, $2::text AS role, created_at FROM workspaces"
                            + " WHERE id = $1").execute(Tuple.of(ws, kept.wire())))
                        .map(w -> new Accepted(WorkspaceApi.view(w.iterator().next()), kept.wire()));
                  });
            }))
        .compose(accepted -> dir.announce(AccessChange.member(accepted.workspace().id(), user)).map(accepted));
  }

  private String url(RoutingContext ctx, String token) {
    String base = config.publicUrl();
    if (base == null) {
      var authority = ctx.request().authority();
      base = ctx.request().scheme() + "://" + (authority == null ? "localhost"
          : authority.host() + (authority.port() > 0 ? ":" + authority.port() : ""));
    }
    return base.replaceAll("/+$", "") + "/?invite=" + token;
  }

  private static InviteView view(Row r) {
    return new InviteView(r.getUUID("id").toString(), r.getString("role"),
        r.getOffsetDateTime("expires_at").toInstant().toString(), r.getOffsetDateTime("created_at").toInstant().toString(),
        null, null);
  }
}
