package io.flowstate.gateway.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.gateway.ws.Session;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.protocol.ServerFrames;
import io.flowstate.shared.protocol.User;
import io.flowstate.shared.redis.RedisPublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The transient side of rooms: who is connected (members), cursors and selections (presence) and
 * chat, gateway → Redis → gateways, never through the sequencer or PostgreSQL. Members live in a
 * Redis hash per room, one field per connection, written by the connection's gateway; each gateway
 * refreshes a liveness key with a TTL, and entries of a gateway whose key expired (it died without
 * cleaning up) are removed by the others' sweep, which sends {@code presence_left}. Transient
 * frames travel on the room's live channel already encoded as client frames and are forwarded
 * verbatim to local members. Presence is coalesced per connection and room: only the latest state
 * is sent, at most once per configured interval.
 */
public final class RoomPresence {
  private static final Logger LOG = Logger.getLogger(RoomPresence.class.getName());

  private final Vertx vertx;
  private final GatewayConfig config;
  private final Channels channels;
  private final RedisPublisher redis;
  private final Function<String, Collection<Session>> localMembers;
  private final Map<String, Pending> pendingPresence = new HashMap<>();
  private final Set<String> refreshing = new HashSet<>();
  private final Set<String> refreshAgain = new HashSet<>();
  private long aliveTimer;
  private long sweepTimer;

  /** The latest unsent presence of one connection in one room. */
  private static final class Pending {
    JsonNode state;
    long lastSent;
    boolean scheduled;
  }

  public RoomPresence(Vertx vertx, GatewayConfig config, Channels channels, RedisPublisher redis,
      Function<String, Collection<Session>> localMembers) {
    this.vertx = vertx;
    this.config = config;
    this.channels = channels;
    this.redis = redis;
    this.localMembers = localMembers;
  }

  /** Starts the liveness heartbeat and the sweep for members of dead gateways. */
  public Future<Void> start(Supplier<Collection<String>> rooms) {
    long every = Math.max(50, config.presenceTtlMs() / 3);
    aliveTimer = vertx.setPeriodic(every, t -> markAlive());
    sweepTimer = vertx.setPeriodic(every, t -> rooms.get().forEach(this::sweep));
    return markAlive();
  }

  /** A functional supplier of the rooms with local members. */
  public interface Supplier<T> {
    T get();
  }

  public void stop() {
    vertx.cancelTimer(aliveTimer);
    vertx.cancelTimer(sweepTimer);
    redis.send(Request.cmd(Command.DEL).arg(channels.aliveKey(config.gatewayId())));
  }

  /** Registers a connection as a member of a room; completes with the room's member list. */
  public Future<List<User>> joined(Session session, String room) {
    return redis.send(Request.cmd(Command.HSET).arg(channels.membersKey(room)).arg(field(session))
            .arg(Json.write(session.user().toJson())))
        .compose(r -> members(room))
        .onSuccess(users -> announceMembers(room));
  }

  /** Removes a connection from a room's members; tells the others. */
  public void left(Session session, String room) {
    Pending pending = pendingPresence.remove(presenceKey(session, room));
    redis.send(Request.cmd(Command.HDEL).arg(channels.membersKey(room)).arg(field(session)))
        .compose(r -> members(room))
        .onSuccess(users -> {
          if (users.stream().noneMatch(u -> u.id().equals(session.user().id()))) {
            publish(room, ServerFrames.presenceLeft(room, session.user()), null);
          }
          announceMembers(room);
        });
  }

  /** A presence update from a local connection: coalesced and throttled, then relayed. */
  public void presence(Session session, String room, JsonNode state) {
    String key = presenceKey(session, room);
    Pending pending = pendingPresence.computeIfAbsent(key, k -> new Pending());
    pending.state = state;
    if (pending.scheduled) {
      return;
    }
    long wait = pending.lastSent + config.presenceIntervalMs() - System.currentTimeMillis();
    pending.scheduled = true;
    if (wait <= 0) {
      flush(session, room, key, pending);
    } else {
      vertx.setTimer(wait, t -> flush(session, room, key, pending));
    }
  }

  /** Relays a frame (e.g. {@code chat}) to every member of the room on every gateway. */
  public void broadcast(String room, ObjectNode frame) {
    publish(room, frame, null);
  }

  /** The room's members on all live gateways, one entry per user. */
  public Future<List<User>> members(String room) {
    return redis.send(Request.cmd(Command.HGETALL).arg(channels.membersKey(room))).compose(all -> {
      Map<String, String> entries = entries(all);
      Set<String> gateways = new HashSet<>();
      entries.keySet().forEach(f -> gateways.add(gatewayOf(f)));
      List<String> ordered = new ArrayList<>(gateways);
      List<Request> checks = new ArrayList<>();
      ordered.forEach(g -> checks.add(Request.cmd(Command.EXISTS).arg(channels.aliveKey(g))));
      Future<List<Response>> alive = checks.isEmpty() ? Future.succeededFuture(List.of()) : redis.batch(checks);
      return alive.map(results -> {
        Set<String> live = new HashSet<>();
        for (int i = 0; i < ordered.size(); i++) {
          if (results.get(i).toInteger() > 0 || ordered.get(i).equals(config.gatewayId())) {
            live.add(ordered.get(i));
          }
        }
        Map<String, User> users = new LinkedHashMap<>();
        entries.forEach((f, json) -> {
          if (live.contains(gatewayOf(f))) {
            JsonNode u = Json.parse(json);
            users.putIfAbsent(u.path("id").asText(),
                new User(u.path("id").asText(), u.path("name").asText(), u.path("color").asText()));
          }
        });
        return new ArrayList<>(users.values());
      });
    });
  }

  /** A message on a room's live channel: a frame to forward, or a members refresh. */
  public void onLiveMessage(String room, String payload) {
    JsonNode message;
    try {
      message = Json.parse(payload);
    } catch (RuntimeException e) {
      LOG.warning("dropping malformed live message on room " + room);
      return;
    }
    if (message.path("refresh").asBoolean()) {
      refreshMembers(room);
      return;
    }
    JsonNode frame = message.get("frame");
    if (frame == null) {
      return;
    }
    String exclude = message.path("exclude").asText(null);
    boolean droppable = "presence".equals(frame.path("type").asText());
    byte[] encoded = Json.write(frame).getBytes(StandardCharsets.UTF_8);
    for (Session s : localMembers.apply(room)) {
      // Presence is the first thing dropped for a client that is not keeping up.
      if (!s.id().equals(exclude) && !s.closed() && !(droppable && s.congested())) {
        s.sendEncoded(encoded);
      }
    }
  }

  /** Removes members of gateways that stopped refreshing their liveness key. */
  private void sweep(String room) {
    redis.send(Request.cmd(Command.HGETALL).arg(channels.membersKey(room))).onSuccess(all -> {
      Map<String, String> entries = entries(all);
      Set<String> gateways = new HashSet<>();
      entries.keySet().forEach(f -> gateways.add(gatewayOf(f)));
      gateways.remove(config.gatewayId());
      for (String gateway : gateways) {
        redis.send(Request.cmd(Command.EXISTS).arg(channels.aliveKey(gateway))).onSuccess(r -> {
          if (r.toInteger() == 0) {
            removeDead(room, gateway, entries);
          }
        });
      }
    });
  }

  private void removeDead(String room, String gateway, Map<String, String> entries) {
    List<String> fields = new ArrayList<>();
    entries.keySet().forEach(f -> {
      if (gatewayOf(f).equals(gateway)) {
        fields.add(f);
      }
    });
    Request hdel = Request.cmd(Command.HDEL).arg(channels.membersKey(room));
    fields.forEach(hdel::arg);
    redis.send(hdel).onSuccess(removed -> {
      if (removed.toInteger() == 0) {
        return;
      }
      LOG.info("removed " + removed.toInteger() + " member(s) of dead gateway " + gateway + " from room " + room);
      members(room).onSuccess(users -> {
        Set<String> still = new HashSet<>();
        users.forEach(u -> still.add(u.id()));
        Set<String> gone = new HashSet<>();
        for (String f : fields) {
          JsonNode u = Json.parse(entries.get(f));
          String id = u.path("id").asText();
          if (!still.contains(id) && gone.add(id)) {
            publish(room, ServerFrames.presenceLeft(room,
                new User(id, u.path("name").asText(), u.path("color").asText())), null);
          }
        }
        announceMembers(room);
      });
    });
  }

  private void flush(Session session, String room, String key, Pending pending) {
    pending.scheduled = false;
    if (pendingPresence.get(key) != pending || session.closed() || pending.state == null) {
      return;
    }
    pending.lastSent = System.currentTimeMillis();
    JsonNode state = pending.state;
    pending.state = null;
    publish(room, ServerFrames.presence(room, session.user(), state), session.id());
  }

  private void announceMembers(String room) {
    redis.publish(channels.live(room), "{\"refresh\":true}");
  }

  /** Fetches the member list and sends it to local members; coalesces concurrent refreshes. */
  private void refreshMembers(String room) {
    if (!refreshing.add(room)) {
      refreshAgain.add(room);
      return;
    }
    members(room).onComplete(ar -> {
      refreshing.remove(room);
      if (ar.succeeded()) {
        byte[] frame = Json.write(ServerFrames.members(room, ar.result())).getBytes(StandardCharsets.UTF_8);
        localMembers.apply(room).forEach(s -> s.sendEncoded(frame));
      }
      if (refreshAgain.remove(room)) {
        refreshMembers(room);
      }
    });
  }

  private Future<Void> markAlive() {
    return redis.send(Request.cmd(Command.SET).arg(channels.aliveKey(config.gatewayId())).arg("1")
        .arg("PX").arg(config.presenceTtlMs())).mapEmpty();
  }

  private void publish(String room, ObjectNode frame, String excludeSession) {
    ObjectNode message = Json.object();
    message.set("frame", frame);
    if (excludeSession != null) {
      message.put("exclude", excludeSession);
    }
    redis.publish(channels.live(room), Json.write(message));
  }

  private String field(Session session) {
    return config.gatewayId() + "|" + session.id();
  }

  private static String gatewayOf(String field) {
    int bar = field.lastIndexOf('|');
    return bar < 0 ? field : field.substring(0, bar);
  }

  private static String presenceKey(Session session, String room) {
    return session.id() + '\u0000' + room;
  }

  private static Map<String, String> entries(Response all) {
    Map<String, String> entries = new LinkedHashMap<>();
    if (all == null) {
      return entries;
    }
    for (int i = 0; i + 1 < all.size(); i += 2) {
      entries.put(all.get(i).toString(), all.get(i + 1).toString());
    }
    return entries;
  }
}
