package io.flowstate.gateway.ws;

import io.flowstate.gateway.access.AccessGuard;
import io.flowstate.gateway.auth.TokenVerifier;
import io.flowstate.gateway.presence.ChatCommands;
import io.flowstate.gateway.relay.RoomFeeds;
import io.flowstate.gateway.relay.SubmitRelay;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.ClientMessage;
import io.flowstate.shared.protocol.ClientMessages;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.protocol.ServerFrames;
import io.flowstate.shared.protocol.Submission;
import io.flowstate.shared.protocol.User;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * {@code GET /v1/ws}: authenticates in the handshake (refusing with 401 before the upgrade),
 * upgrades, sends {@code welcome}, then dispatches each client frame. Bad frames get an
 * {@code error} echoing {@code rid}; the connection goes on.
 */
public final class WsEndpoint {
  private static final Logger LOG = Logger.getLogger(WsEndpoint.class.getName());

  private final Vertx vertx;
  private final GatewayConfig config;
  private final SessionRegistry sessions;
  private final RoomFeeds feeds;
  private final SubmitRelay relay;
  private final io.flowstate.gateway.presence.RoomPresence presence;
  private final io.flowstate.shared.metrics.Metrics metrics;
  private final TokenVerifier verifier;
  private final AccessGuard guard;
  private final ClientMessages parser;
  private long heartbeatTimer;
  private boolean draining;

  public WsEndpoint(Vertx vertx, GatewayConfig config, SessionRegistry sessions, RoomFeeds feeds, SubmitRelay relay,
      io.flowstate.gateway.presence.RoomPresence presence, io.flowstate.shared.metrics.Metrics metrics,
      TokenVerifier verifier, AccessGuard guard) {
    this.guard = guard;
    this.vertx = vertx;
    this.config = config;
    this.sessions = sessions;
    this.feeds = feeds;
    this.relay = relay;
    this.presence = presence;
    this.metrics = metrics;
    this.verifier = verifier;
    this.parser = new ClientMessages(config.maxRoomIdLength(), config.maxClientOpIdLength());
  }

  public void startHeartbeats() {
    heartbeatTimer = vertx.setPeriodic(config.heartbeatMs(), t -> {
      int slow = sessions.heartbeat(config.heartbeatTimeoutMs());
      if (slow > 0) {
        metrics.counter("flowstate.slow.consumer.closes").increment(slow);
      }
    });
  }

  public void stopHeartbeats() {
    vertx.cancelTimer(heartbeatTimer);
  }

  /** From now on new connections are refused with 503 (this gateway is going away). */
  public void drain() {
    draining = true;
  }

  /** The vertx-web handler of {@code GET /v1/ws}. */
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!request.canUpgradeToWebSocket()) {
      ctx.response().setStatusCode(400).putHeader("content-type", "application/json")
          .end("{\"code\":\"bad_request\",\"message\":\"WebSocket upgrade required\"}");
      return;
    }
    if (draining) {
      ctx.response().setStatusCode(503).putHeader("content-type", "application/json")
          .end("{\"code\":\"unavailable\",\"message\":\"this gateway is draining; connect to another\"}");
      return;
    }
    String origin = request.getHeader("Origin");
    if (origin != null && !config.allowedOrigins().isEmpty() && !config.allowedOrigins().contains(origin)) {
      refuse(ctx, 403, "forbidden", "origin " + origin + " is not allowed");
      return;
    }
    String ip = clientIp(request);
    request.pause();
    authenticate(request).onComplete(ar -> {
      if (ar.failed() || ar.result() == null) {
        if (ar.failed()) {
          LOG.fine("handshake refused: " + ar.cause().getMessage());
        }
        request.resume();
        refuse(ctx, 401, "unauthorized", "a valid access token is required");
        return;
      }
      request.toWebSocket().onSuccess(ws -> open(ws, ar.result(), ip))
          .onFailure(e -> LOG.fine("upgrade failed: " + e.getMessage()));
    });
  }

  private static void refuse(RoutingContext ctx, int status, String code, String message) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(io.flowstate.shared.protocol.Json.write(io.flowstate.shared.protocol.Json.object()
            .put("code", code).put("message", message)));
  }

  /** The bearer token of a request: {@code Authorization: Bearer} header, else {@code access_token}. */
  public static String token(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    return request.getParam("access_token");
  }

  /**
   * The identity of a handshake: a verified token's user when a token is sent (a bad one is refused
   * even with guest access on), else a guest when guest access is on, else none.
   */
  private Future<TokenVerifier.Identity> authenticate(HttpServerRequest request) {
    String token = token(request);
    if (token != null && verifier != null) {
      return verifier.verify(token).compose(guard::admit);
    }
    if (config.guestAccess()) {
      User guest = GuestIdentity.create(request.getParam("guest"), request.getParam("name"));
      return Future.succeededFuture(guest == null ? null : new TokenVerifier.Identity(guest, null));
    }
    return Future.failedFuture("no token");
  }

  /**
   * The client address: the peer's, or, when the peer is a configured trusted proxy, the rightmost
   * X-Forwarded-For entry that is not itself a trusted proxy.
   */
  String clientIp(HttpServerRequest request) {
    String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    String forwarded = request.getHeader("X-Forwarded-For");
    if (forwarded == null || !config.trustedProxies().contains(peer)) {
      return peer;
    }
    String[] hops = forwarded.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!hop.isEmpty() && !config.trustedProxies().contains(hop)) {
        return hop;
      }
    }
    return peer;
  }

  private void open(ServerWebSocket ws, TokenVerifier.Identity identity, String ip) {
    User user = identity.user();
    ws.setWriteQueueMaxSize(config.maxOutboundBytes());
    if (sessions.ofUser(user.id()) >= config.maxConnectionsPerUser()) {
      ws.close((short) 4029, "too many connections for this user");
      return;
    }
    if (sessions.ofIp(ip) >= config.maxConnectionsPerIp()) {
      ws.close((short) 4029, "too many connections from this address");
      return;
    }
    Session session = new Session(UUID.randomUUID().toString(), user, ws, ip, config);
    session.expiresAt(identity.expiresAt());
    session.issuedAt(identity.issuedAt());
    session.metrics(metrics);
    sessions.add(session);
    ws.textMessageHandler(text -> {
      session.touch();
      if (utf8LongerThan(text, config.maxFrameBytes())) {
        session.close((short) 1009, "message larger than " + config.maxFrameBytes() + " bytes");
        return;
      }
      onText(session, text);
    });
    ws.binaryMessageHandler(b -> session.send(ServerFrames.error(ErrorCode.BAD_REQUEST,
        "binary frames are not supported; send JSON text frames", null, null, null)));
    ws.pongHandler(b -> session.touch());
    ws.exceptionHandler(e -> LOG.fine("socket error on " + session.id() + ": " + e.getMessage()));
    ws.closeHandler(v -> {
      session.markClosed();
      sessions.remove(session);
      relay.forget(session);
      feeds.leaveAll(session);
    });
    session.send(ServerFrames.welcome(session.id(), user, config.gatewayId(), config.heartbeatMs()));
  }

  void onText(Session session, String text) {
    ClientMessage message;
    try {
      message = parser.parse(text);
    } catch (ClientMessages.BadFrame bad) {
      session.send(bad.toFrame());
      return;
    }
    try {
      dispatch(session, message, text.length());
    } catch (FlowStateException e) {
      session.send(ServerFrames.error(e.code(), e.getMessage(), message.rid(), message.room(), opId(message)));
    } catch (RuntimeException e) {
      io.flowstate.shared.log.Log.event(LOG, java.util.logging.Level.SEVERE, "handler failed for a "
          + message.getClass().getSimpleName(), e, "room", message.room(), "user", session.user().id(),
          "session", session.id());
      session.send(ServerFrames.error(ErrorCode.INTERNAL, "internal error; the connection goes on", message.rid(),
          message.room(), opId(message)));
    }
  }

  private void dispatch(Session session, ClientMessage message, int frameLength) {
    if (message instanceof ClientMessage.Refresh refresh) {
      refresh(session, refresh);
      return;
    }
    if (message instanceof ClientMessage.Join join) {
      if (!session.rooms().contains(join.room()) && session.rooms().size() >= config.maxRoomsPerConnection()) {
        throw new FlowStateException(ErrorCode.TOO_LARGE,
            "a connection may join at most " + config.maxRoomsPerConnection() + " rooms");
      }
      feeds.join(session, join.room(), join.since(), join.rid(), guard.joinRole(session, join.room())).onFailure(e -> {
        FlowStateException f = (FlowStateException) e;
        session.send(ServerFrames.error(f.code(), f.getMessage(), join.rid(), join.room(), null));
      });
    } else if (message instanceof ClientMessage.Leave leave) {
      requireJoined(session, leave.room());
      feeds.leave(session, leave.room());
      relay.forget(session, leave.room());
      session.send(ServerFrames.left(leave.room(), leave.rid()));
    } else if (message instanceof ClientMessage.SubmitOp op) {
      requireJoined(session, op.room());
      guard.requireEdit(session, op.room());
      limit(session.opsLimit, "ops");
      if (frameLength > config.maxOpBytes()) {
        throw new FlowStateException(ErrorCode.TOO_LARGE, "op is larger than " + config.maxOpBytes() + " bytes");
      }
      relay.submit(session, Submission.OP, op.room(), op.id(), op.rid(), op.op());
      metrics.counter("flowstate.ops.submitted").increment();
    } else if (message instanceof ClientMessage.Undo undo) {
      requireJoined(session, undo.room());
      guard.requireEdit(session, undo.room());
      limit(session.opsLimit, "ops");
      relay.submit(session, Submission.UNDO, undo.room(), undo.id(), undo.rid(), null);
    } else if (message instanceof ClientMessage.Redo redo) {
      requireJoined(session, redo.room());
      guard.requireEdit(session, redo.room());
      limit(session.opsLimit, "ops");
      relay.submit(session, Submission.REDO, redo.room(), redo.id(), redo.rid(), null);
    } else if (message instanceof ClientMessage.Presence p) {
      requireJoined(session, p.room());
      limit(session.presenceLimit, "presence updates");
      if (utf8LongerThan(Json.write(p.state()), config.maxPresenceBytes())) {
        throw new FlowStateException(ErrorCode.TOO_LARGE, "presence state is larger than "
            + config.maxPresenceBytes() + " bytes");
      }
      presence.presence(session, p.room(), p.state());
      metrics.counter("flowstate.presence.updates").increment();
    } else if (message instanceof ClientMessage.Chat chat) {
      requireJoined(session, chat.room());
      chat(session, chat);
    }
  }

  /** A new token for a live connection: same user, later expiry; answered {@code refreshed}. */
  private void refresh(Session session, ClientMessage.Refresh refresh) {
    if (verifier == null) {
      throw new FlowStateException(ErrorCode.BAD_REQUEST, "this server does not use access tokens");
    }
    verifier.verify(refresh.token())
        .compose(guard::admit)
        .onComplete(ar -> {
      if (ar.failed() || !ar.result().user().id().equals(session.user().id())) {
        session.send(ServerFrames.error(ErrorCode.FORBIDDEN, "the token is invalid or names another user",
            refresh.rid(), null, null));
        return;
      }
      session.expiresAt(ar.result().expiresAt());
      session.issuedAt(ar.result().issuedAt());
      var reply = Json.object().put("type", "refreshed").put("expiresAt", ar.result().expiresAt().toString());
      if (refresh.rid() != null) {
        reply.put("rid", refresh.rid());
      }
      session.send(reply);
    });
  }

  private void chat(Session session, ClientMessage.Chat chat) {
    if (chat.text().codePointCount(0, chat.text().length()) > config.maxChatChars()) {
      throw new FlowStateException(ErrorCode.TOO_LARGE, "chat text is longer than " + config.maxChatChars()
          + " characters");
    }
    ChatCommands.Line line = ChatCommands.parse(chat.text());
    if (line instanceof ChatCommands.Who) {
      presence.members(chat.room()).onSuccess(users -> {
        var reply = ServerFrames.members(chat.room(), users);
        if (chat.rid() != null) {
          reply.put("rid", chat.rid());
        }
        session.send(reply);
      })
          .onFailure(e -> session.send(ServerFrames.error(ErrorCode.UNAVAILABLE, "member list unavailable; retry",
              chat.rid(), chat.room(), null)));
      return;
    }
    limit(session.chatLimit, "chat messages");
    ChatCommands.Say say = (ChatCommands.Say) line;
    presence.broadcast(chat.room(), ServerFrames.chat(chat.room(), session.user(), say.text(), say.action(),
        java.time.format.DateTimeFormatter.ISO_INSTANT.format(java.time.Instant.now())));
  }

  private static void limit(TokenBucket bucket, String what) {
    if (!bucket.tryTake()) {
      throw new FlowStateException(ErrorCode.RATE_LIMITED, "too many " + what + "; slow down");
    }
  }

  private void requireJoined(Session session, String room) {
    if (!feeds.isMember(session, room)) {
      throw new FlowStateException(ErrorCode.NOT_JOINED, "join room '" + room + "' first");
    }
  }

  /** Whether the UTF-8 form of {@code text} exceeds {@code max} bytes (a char encodes to at most 3). */
  static boolean utf8LongerThan(String text, int max) {
    if ((long) text.length() * 3 <= max) {
      return false;
    }
    return text.length() > max || text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > max;
  }

  private static String opId(ClientMessage m) {
    if (m instanceof ClientMessage.SubmitOp op) {
      return op.id();
    }
    if (m instanceof ClientMessage.Undo u) {
      return u.id();
    }
    if (m instanceof ClientMessage.Redo r) {
      return r.id();
    }
    return null;
  }
}
