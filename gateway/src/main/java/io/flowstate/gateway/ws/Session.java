package io.flowstate.gateway.ws;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.access.Role;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.protocol.User;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One client connection: who it is, the rooms it joined, its socket. All access happens on the
 * gateway's event loop. Frames shared by many recipients are encoded once ({@link #sendEncoded})
 * and only wrapped per connection. The socket's write queue is bounded by the configured outbound
 * byte limit; {@link #congested} tells the fan-out when this client has fallen behind.
 */
public final class Session {
  private final String id;
  private final User user;
  private final ServerWebSocket socket;
  private final Set<String> rooms = new LinkedHashSet<>();
  private final java.util.Map<String, Role> roles = new java.util.HashMap<>();
  private final String clientIp;
  final TokenBucket opsLimit;
  final TokenBucket presenceLimit;
  final TokenBucket chatLimit;
  private long lastSeen = System.currentTimeMillis();
  private boolean closed;
  private int congestedTicks;
  private java.time.Instant expiresAt;
  private java.time.Instant issuedAt;
  private io.flowstate.shared.metrics.Metrics metrics;

  Session(String id, User user, ServerWebSocket socket, String clientIp, io.flowstate.shared.config.GatewayConfig config) {
    this.id = id;
    this.user = user;
    this.socket = socket;
    this.clientIp = clientIp;
    this.opsLimit = new TokenBucket(config.opsRate());
    this.presenceLimit = new TokenBucket(config.presenceRate());
    this.chatLimit = new TokenBucket(config.chatRate());
  }

  /** The client's address (from X-Forwarded-For when the peer is a trusted proxy). */
  public String clientIp() {
    return clientIp;
  }

  public String id() {
    return id;
  }

  public User user() {
    return user;
  }

  /** The role this connection's user has in a joined room (null while joining or after leaving). */
  public Role role(String room) {
    return rooms.contains(room) ? roles.get(room) : null;
  }

  /** Records the user's role in a room, as checked on join and after every access change. */
  public void role(String room, Role role) {
    if (role == null) {
      roles.remove(room);
    } else {
      roles.put(room, role);
    }
  }

  /** When the connection's token was issued (null for guests). */
  public java.time.Instant issuedAt() {
    return issuedAt;
  }

  void issuedAt(java.time.Instant at) {
    this.issuedAt = at;
  }

  /** Rooms this connection joined (or is joining), in join order. */
  public Set<String> rooms() {
    return rooms;
  }

  public boolean closed() {
    return closed;
  }

  public void send(ObjectNode frame) {
    if (metrics != null && "error".equals(frame.path("type").asText())) {
      metrics.count("flowstate.errors", "code", frame.path("code").asText());
    }
    if (!closed) {
      try {
        socket.writeTextMessage(Json.write(frame));
      } catch (IllegalStateException socketClosed) {
        closed = true;
      }
    }
  }

  /** Sends a text frame from UTF-8 bytes encoded once for all recipients. */
  public void sendEncoded(byte[] utf8) {
    if (!closed) {
      try {
        socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8, true));
      } catch (IllegalStateException socketClosed) {
        closed = true;
      }
    }
  }

  /** Whether the outbound buffer is over its limit (the client is not reading fast enough). */
  public boolean congested() {
    if (closed) {
      return false;
    }
    try {
      return socket.writeQueueFull();
    } catch (IllegalStateException socketClosed) {
      closed = true;
      return false;
    }
  }

  public void close(short code, String reason) {
    if (!closed) {
      closed = true;
      try {
        socket.close(code, reason);
      } catch (IllegalStateException alreadyClosed) {
        // the peer went first
      }
    }
  }

  void metrics(io.flowstate.shared.metrics.Metrics metrics) {
    this.metrics = metrics;
  }

  /** Consecutive heartbeat ticks at which the outbound buffer was over its limit. */
  int congestedTicks() {
    congestedTicks = congested() ? congestedTicks + 1 : 0;
    return congestedTicks;
  }

  /** When the connection's access token expires (null for guests: never). */
  void expiresAt(java.time.Instant at) {
    this.expiresAt = at;
  }

  boolean expired(java.time.Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  void markClosed() {
    closed = true;
  }

  void touch() {
    lastSeen = System.currentTimeMillis();
  }

  long lastSeen() {
    return lastSeen;
  }

  void ping() {
    if (!closed) {
      try {
        socket.writePing(io.vertx.core.buffer.Buffer.buffer("hb"));
      } catch (IllegalStateException socketClosed) {
        closed = true;
      }
    }
  }
}
