package io.flowstate.gateway.ws;

import io.flowstate.gateway.relay.RoomFeeds;
import io.flowstate.gateway.relay.SubmitRelay;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.ClientMessage;
import io.flowstate.shared.protocol.ClientMessages;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.ServerFrames;
import io.flowstate.shared.protocol.Submission;
import io.flowstate.shared.protocol.User;
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
  private final ClientMessages parser;
  private long heartbeatTimer;

  public WsEndpoint(Vertx vertx, GatewayConfig config, SessionRegistry sessions, RoomFeeds feeds, SubmitRelay relay) {
    this.vertx = vertx;
    this.config = config;
    this.sessions = sessions;
    this.feeds = feeds;
    this.relay = relay;
    this.parser = new ClientMessages(config.maxRoomIdLength(), config.maxClientOpIdLength());
  }

  public void startHeartbeats() {
    heartbeatTimer = vertx.setPeriodic(config.heartbeatMs(), t -> sessions.heartbeat(config.heartbeatTimeoutMs()));
  }

  public void stopHeartbeats() {
    vertx.cancelTimer(heartbeatTimer);
  }

  /** The vertx-web handler of {@code GET /v1/ws}. */
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!request.canUpgradeToWebSocket()) {
      ctx.response().setStatusCode(400).putHeader("content-type", "application/json")
          .end("{\"code\":\"bad_request\",\"message\":\"WebSocket upgrade required\"}");
      return;
    }
    User user = authenticate(request);
    if (user == null) {
      ctx.response().setStatusCode(401).putHeader("content-type", "application/json")
          .end("{\"code\":\"unauthorized\",\"message\":\"a valid token is required\"}");
      return;
    }
    request.toWebSocket().onSuccess(ws -> open(ws, user))
        .onFailure(e -> LOG.fine("upgrade failed: " + e.getMessage()));
  }

  private User authenticate(HttpServerRequest request) {
    if (config.guestAccess()) {
      return GuestIdentity.create(request.getParam("guest"), request.getParam("name"));
    }
    return null;
  }

  private void open(ServerWebSocket ws, User user) {
    ws.setWriteQueueMaxSize(config.maxOutboundBytes());
    Session session = new Session(UUID.randomUUID().toString(), user, ws);
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
    }
  }

  private void dispatch(Session session, ClientMessage message, int frameLength) {
    if (message instanceof ClientMessage.Join join) {
      if (!session.rooms().contains(join.room()) && session.rooms().size() >= config.maxRoomsPerConnection()) {
        throw new FlowStateException(ErrorCode.TOO_LARGE,
            "a connection may join at most " + config.maxRoomsPerConnection() + " rooms");
      }
      feeds.join(session, join.room(), join.since(), join.rid()).onFailure(e -> {
        FlowStateException f = (FlowStateException) e;
        session.send(ServerFrames.error(f.code(), f.getMessage(), join.rid(), join.room(), null));
      });
    } else if (message instanceof ClientMessage.Leave leave) {
      requireJoined(session, leave.room());
      feeds.leave(session, leave.room());
      session.send(ServerFrames.left(leave.room(), leave.rid()));
    } else if (message instanceof ClientMessage.SubmitOp op) {
      requireJoined(session, op.room());
      if (frameLength > config.maxOpBytes()) {
        throw new FlowStateException(ErrorCode.TOO_LARGE, "op is larger than " + config.maxOpBytes() + " bytes");
      }
      relay.submit(session, Submission.OP, op.room(), op.id(), op.rid(), op.op());
    } else if (message instanceof ClientMessage.Undo undo) {
      requireJoined(session, undo.room());
      relay.submit(session, Submission.UNDO, undo.room(), undo.id(), undo.rid(), null);
    } else if (message instanceof ClientMessage.Redo redo) {
      requireJoined(session, redo.room());
      relay.submit(session, Submission.REDO, redo.room(), redo.id(), redo.rid(), null);
    } else if (message instanceof ClientMessage.Presence presence) {
      requireJoined(session, presence.room());
      throw new FlowStateException(ErrorCode.BAD_REQUEST, "presence is not supported by this server yet");
    } else if (message instanceof ClientMessage.Chat chat) {
      requireJoined(session, chat.room());
      throw new FlowStateException(ErrorCode.BAD_REQUEST, "chat is not supported by this server yet");
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
