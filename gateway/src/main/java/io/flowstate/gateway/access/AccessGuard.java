package io.flowstate.gateway.access;

import io.flowstate.gateway.auth.TokenVerifier;
import io.flowstate.gateway.relay.RoomFeeds;
import io.flowstate.gateway.ws.Session;
import io.flowstate.gateway.ws.SessionRegistry;
import io.flowstate.shared.access.AccessCache;
import io.flowstate.shared.access.AccessChange;
import io.flowstate.shared.access.Role;
import io.flowstate.shared.access.RoomAccess;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.protocol.ServerFrames;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * The gateway's side of permissions: the role of a user in a room on join, the edit check on
 * every op (the sequencer checks again: it has the last word), refused handshakes for tokens
 * revoked by logout-all, and the live effect of {@link AccessChange}s: a connection whose role
 * changed gets a {@code role} frame, one that lost access gets {@code left} and no more events,
 * and a revoked user's connections close with 1008. Runs on the gateway's event loop.
 */
public final class AccessGuard {
  private static final Logger LOG = Logger.getLogger(AccessGuard.class.getName());

  private final GatewayConfig config;
  private final Pool pool;
  private final SessionRegistry sessions;
  private final RoomFeeds feeds;
  private final BiConsumer<Session, String> forget;
  private final AccessCache cache;
  private final Map<String, Revocation> revocations = new HashMap<>();
  private boolean gatewayChecks = true;

  private record Revocation(Instant notBefore, long loadedAt) {
  }

  /**
   * @param forget drops a connection's pending submissions in a room it lost access to
   */
  public AccessGuard(GatewayConfig config, Pool pool, SessionRegistry sessions, RoomFeeds feeds,
      BiConsumer<Session, String> forget) {
    this.config = config;
    this.pool = pool;
    this.sessions = sessions;
    this.feeds = feeds;
    this.forget = forget;
    this.cache = new AccessCache(pool, config.accounts().accessCacheTtlMs());
  }

  /** The role a session gets on joining a room, or a {@code not_found}/{@code forbidden} failure. */
  public Future<Role> joinRole(Session session, String room) {
    return readRole(room, session.user().id());
  }

  /** The role of a user for reading a room (join, history, export), or why not. */
  public Future<Role> readRole(String room, String userId) {
    return cache.resolve(room, userId)
        .recover(e -> Future.failedFuture(new FlowStateException(ErrorCode.UNAVAILABLE,
            "roles could not be checked; retry")))
        .map(access -> access.readRole(config.guestAccess()));
  }

  /** Refuses an op from a session whose role in the room does not allow editing. */
  public void requireEdit(Session session, String room) {
    Role role = session.role(room);
    if (gatewayChecks && role != null && !role.canEdit()) {
      throw new FlowStateException(ErrorCode.FORBIDDEN, "your role on this canvas is " + role.wire()
          + "; editing needs editor or owner");
    }
  }

  /**
   * Test seam: skip the gateway's edit check, as a buggy or compromised gateway would, to show
   * that the sequencer still refuses the op.
   */
  public void skipGatewayChecks() {
    gatewayChecks = false;
  }

  /**
   * The verified identity, unless its user revoked their tokens (logout-all) at or after the
   * token's {@code iat}; tokens carry whole seconds, so one issued in the same second as the
   * logout-all is revoked too.
   */
  public Future<TokenVerifier.Identity> admit(TokenVerifier.Identity identity) {
    Instant issuedAt = identity.issuedAt();
    if (issuedAt == null) {
      return Future.succeededFuture(identity);
    }
    // Without PostgreSQL the revocation list cannot be read; the token's own expiry still holds
    // and every join needs PostgreSQL anyway, so the handshake goes on.
    return notBefore(identity.user().id()).otherwiseEmpty().compose(notBefore -> notBefore != null
        && issuedAt.getEpochSecond() <= notBefore.getEpochSecond()
        ? Future.failedFuture("token revoked") : Future.succeededFuture(identity));
  }

  private Future<Instant> notBefore(String userId) {
    Revocation cached = revocations.get(userId);
    long now = System.currentTimeMillis();
    if (cached != null && now - cached.loadedAt < config.accounts().accessCacheTtlMs()) {
      return Future.succeededFuture(cached.notBefore);
    }
    return pool.preparedQuery("SELECT tokens_not_before FROM users WHERE id = $1").execute(Tuple.of(userId))
        .map(rows -> {
          Instant at = null;
          if (rows.iterator().hasNext()) {
            var t = rows.iterator().next().getOffsetDateTime(0);
            at = t == null ? null : t.toInstant();
          }
          if (revocations.size() > 100_000) {
            revocations.clear();
          }
          revocations.put(userId, new Revocation(at, now));
          return at;
        });
  }

  /** An access change from the Redis channel: forget what it names, then re-check live joins. */
  public void onChange(String payload) {
    AccessChange change;
    try {
      change = AccessChange.decode(payload);
    } catch (Exception e) {
      LOG.warning("malformed access change, re-checking every connection: " + e.getMessage());
      onReconnect();
      return;
    }
    cache.invalidate(change);
    if (change.revokedBefore() != null && change.user() != null) {
      Instant before = Instant.ofEpochSecond(change.revokedBefore());
      revocations.put(change.user(), new Revocation(before, System.currentTimeMillis()));
      for (Session s : sessions.all()) {
        if (s.user().id().equals(change.user()) && s.issuedAt() != null) {
          s.close((short) 1008, "token revoked");
        }
      }
      return;
    }
    List<Joined> affected = new ArrayList<>();
    for (Session s : sessions.all()) {
      for (String room : s.rooms()) {
        Role role = s.role(room);
        if (role != null && matches(change, s, room)) {
          affected.add(new Joined(s, room));
        }
      }
    }
    recheck(affected);
  }

  /**
   * Re-checks every live join whose cached role is older than the cache's time to live, so that a
   * change whose announcement was lost still reaches live connections within that time.
   */
  public void recheckStale() {
    recheck(liveJoins());
  }

  private List<Joined> liveJoins() {
    List<Joined> all = new ArrayList<>();
    for (Session s : sessions.all()) {
      for (String room : s.rooms()) {
        if (s.role(room) != null) {
          all.add(new Joined(s, room));
        }
      }
    }
    return all;
  }

  /** After a Redis reconnect changes may have been missed: forget all, re-check every live join. */
  public void onReconnect() {
    cache.clear();
    revocations.clear();
    recheck(liveJoins());
  }

  private record Joined(Session session, String room) {
  }

  private static boolean matches(AccessChange change, Session s, String room) {
    // The cached entry knows the room's workspace; a live join may outlive its cache entry, so
    // a workspace-wide change re-checks every canvas join (cheap: one query for all of them).
    return (change.user() == null || change.user().equals(s.user().id()))
        && (change.canvas() == null || change.canvas().equals(room));
  }

  private void recheck(List<Joined> joins) {
    if (joins.isEmpty()) {
      return;
    }
    List<AccessCache.Key> keys = new ArrayList<>();
    joins.forEach(j -> keys.add(new AccessCache.Key(j.room, j.session.user().id())));
    cache.resolve(keys).onSuccess(found -> {
      for (Joined j : joins) {
        RoomAccess access = found.get(new AccessCache.Key(j.room, j.session.user().id()));
        if (access == null || j.session.closed() || j.session.role(j.room) == null) {
          continue;
        }
        apply(j, access);
      }
    }).onFailure(e -> LOG.warning("cannot re-check roles after a change: " + e.getMessage()));
  }

  private void apply(Joined j, RoomAccess access) {
    Role role;
    try {
      role = access.readRole(config.guestAccess());
    } catch (FlowStateException lost) {
      feeds.leave(j.session, j.room);
      forget.accept(j.session, j.room);
      var left = ServerFrames.left(j.room, null);
      left.put("code", lost.code().wire()).put("message", lost.getMessage());
      j.session.send(left);
      return;
    }
    if (role != j.session.role(j.room)) {
      j.session.role(j.room, role);
      j.session.send(Json.object().put("type", "role").put("room", j.room).put("role", role.wire()));
    }
  }
}
