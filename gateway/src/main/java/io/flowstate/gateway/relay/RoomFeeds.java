package io.flowstate.gateway.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.flowstate.gateway.relay.RoomFeed.Member;
import io.flowstate.gateway.ws.Session;
import io.flowstate.shared.access.Role;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.protocol.OpEvent;
import io.flowstate.shared.protocol.ServerFrames;
import io.flowstate.shared.protocol.User;
import io.flowstate.shared.redis.RedisSubscriber;
import io.flowstate.shared.store.OpLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import io.flowstate.shared.log.Log;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The committed-event side of a gateway: one {@link RoomFeed} per room with local members, fed by
 * the room's Redis channel. Joins never race the stream: the member is registered (buffering)
 * before the subscription is confirmed and before the op log is read, and only events above the
 * loaded version are released to it. Gaps (lost pub/sub messages, a Redis reconnect) are filled
 * from PostgreSQL before later events are delivered. Runs on the gateway's event loop.
 */
public final class RoomFeeds {
  private static final Logger LOG = Logger.getLogger(RoomFeeds.class.getName());
  private static final long REPAIR_RETRY_MS = 500;

  private final Vertx vertx;
  private final GatewayConfig config;
  private final Channels channels;
  private final RedisSubscriber subscriber;
  private final OpLog log;
  private final Reducer reducer;
  private final Map<String, RoomFeed> feeds = new HashMap<>();
  private Consumer<OpEvent> committedListener = e -> { };
  private EventTap tap = (room, version) -> true;
  private io.flowstate.gateway.presence.RoomPresence presence;
  private io.flowstate.shared.metrics.Metrics metrics = io.flowstate.shared.metrics.Metrics.create();

  /** A hook on the raw live stream; returning false drops the event (tests simulate loss). */
  public interface EventTap {
    boolean accept(String room, long version);
  }

  public RoomFeeds(Vertx vertx, GatewayConfig config, Channels channels, RedisSubscriber subscriber, OpLog log, Reducer reducer) {
    this.vertx = vertx;
    this.config = config;
    this.channels = channels;
    this.subscriber = subscriber;
    this.log = log;
    this.reducer = reducer;
  }

  /** Called with every live committed event (before fan-out), e.g. to settle pending submissions. */
  public void onCommitted(Consumer<OpEvent> listener) {
    this.committedListener = listener;
  }

  public void tap(EventTap tap) {
    this.tap = tap;
  }

  public void metrics(io.flowstate.shared.metrics.Metrics metrics) {
    this.metrics = metrics;
  }

  /** Members, presence and chat of the rooms these feeds serve. */
  public void presence(io.flowstate.gateway.presence.RoomPresence presence) {
    this.presence = presence;
  }

  /** Sessions of a room that finished joining (they receive transient frames). */
  public List<Session> localSessions(String room) {
    List<Session> sessions = new ArrayList<>();
    RoomFeed feed = feeds.get(room);
    if (feed != null) {
      feed.members.values().forEach(m -> {
        if (!m.loading()) {
          sessions.add(m.session);
        }
      });
    }
    return sessions;
  }

  /** Rooms with local members. */
  public java.util.Set<String> rooms() {
    return new java.util.HashSet<>(feeds.keySet());
  }

  public boolean isMember(Session session, String room) {
    RoomFeed feed = feeds.get(room);
    return feed != null && feed.members.containsKey(session.id());
  }

  public int roomCount() {
    return feeds.size();
  }

  /** A Redis message on a room channel. */
  public void onMessage(String channel, String payload) {
    String live = channels.liveRoomOf(channel);
    if (live != null) {
      if (feeds.containsKey(live)) {
        presence.onLiveMessage(live, payload);
      }
      return;
    }
    String room = channels.roomOf(channel);
    RoomFeed feed = room == null ? null : feeds.get(room);
    if (feed == null) {
      return;
    }
    JsonNode frame;
    try {
      frame = Json.parse(payload);
    } catch (FlowStateException e) {
      LOG.warning("dropping malformed event on " + channel);
      return;
    }
    long version = frame.path("version").asLong(-1);
    if (version < 1 || !tap.accept(room, version)) {
      return;
    }
    committedListener.accept(OpEvent.fromFrame(frame));
    feed.offer(version, payload);
  }

  /** After a Redis reconnect: messages may have been lost; catch every feed up from PostgreSQL. */
  public void onReconnect() {
    for (RoomFeed feed : feeds.values()) {
      if (feed.live()) {
        catchUp(feed);
      }
    }
  }

  /** Checks the committed head of a room and delivers anything this gateway missed. */
  public void catchUp(String room) {
    RoomFeed feed = feeds.get(room);
    if (feed != null && feed.live()) {
      catchUp(feed);
    }
  }

  /**
   * Joins a session to a room: registers it, makes sure the feed is live, loads state or the
   * missing ops, sends {@code joined}, then streams. Fails with a {@link FlowStateException}.
   */
  public Future<Void> join(Session session, String room, Long since, String rid, Future<Role> access) {
    RoomFeed existing = feeds.get(room);
    RoomFeed feed = existing != null ? existing : newFeed(room);
    Member member = new Member(session, rid);
    feed.members.put(session.id(), member);
    session.rooms().add(room);
    if (existing == null) {
      feeds.put(room, feed);
      open(room, feed);
    }
    boolean[] admitted = {false};
    return access
        .compose(role -> {
          if (feed.members.get(session.id()) != member || session.closed()) {
            return Future.failedFuture(SUPERSEDED);
          }
          admitted[0] = true;
          session.role(room, role);
          return feed.opening.future();
        })
        .compose(v -> current(feed, member) ? presence.joined(session, room) : Future.failedFuture(SUPERSEDED))
        .compose(users -> {
          if (!current(feed, member)) {
            presence.left(session, room);
            return Future.failedFuture(SUPERSEDED);
          }
          return log.head(room).compose(head -> load(feed, room, head, since, rid, member, users));
        })
        .recover(e -> {
          if (e == SUPERSEDED || feed.members.get(session.id()) != member || session.closed()) {
            // A later leave or join of this connection answered instead.
            return Future.succeededFuture();
          }
          if (current(feed, member) && drop(session, room) && admitted[0]) {
            presence.left(session, room);
          }
          return Future.failedFuture(e instanceof FlowStateException ? e
              : new FlowStateException(ErrorCode.UNAVAILABLE, "room could not be loaded; retry"));
        });
  }

  /** A join that a later leave or join of the same connection replaced: it is not answered. */
  private static final RuntimeException SUPERSEDED = new RuntimeException("superseded", null, false, false) {
  };

  private boolean current(RoomFeed feed, Member member) {
    return feeds.get(feed.room) == feed && feed.members.get(member.session.id()) == member
        && !member.session.closed();
  }

  /** Removes a session from a room; the feed closes when its last member leaves. */
  public void leave(Session session, String room) {
    if (drop(session, room)) {
      presence.left(session, room);
    }
  }

  /** Removes a closed session from all its rooms. */
  public void leaveAll(Session session) {
    for (String room : new ArrayList<>(session.rooms())) {
      leave(session, room);
    }
  }

  private boolean drop(Session session, String room) {
    session.rooms().remove(room);
    session.role(room, null);
    RoomFeed feed = feeds.get(room);
    if (feed == null || feed.members.remove(session.id()) == null) {
      return false;
    }
    if (feed.members.isEmpty()) {
      feeds.remove(room);
      unsubscribe(room);
    }
    return true;
  }

  private RoomFeed newFeed(String room) {
    return new RoomFeed(room, upTo -> repair(room, upTo), this::behind,
        metrics.counter("flowstate.fanout.deliveries"));
  }

  /** Subscribes a feed already registered in {@code feeds}; joiners wait on {@link #ready}. */
  private void open(String room, RoomFeed feed) {
    Promise<Void> live = feed.opening;
    Future.all(subscriber.subscribe(channels.room(room)), subscriber.subscribe(channels.live(room)))
        .compose(v -> log.head(room))
        .onComplete(ar -> {
          if (feeds.get(room) != feed) {
            live.tryFail("the room's feed closed while opening");
            return;
          }
          if (ar.succeeded()) {
            feed.start(ar.result());
            live.tryComplete();
          } else {
            Log.event(LOG, Level.WARNING, "cannot open room feed: " + ar.cause().getMessage(), null, "room", room);
            feeds.remove(room);
            unsubscribe(room);
            live.tryFail(ar.cause());
          }
        });
  }

  private void unsubscribe(String room) {
    subscriber.unsubscribe(channels.room(room));
    subscriber.unsubscribe(channels.live(room));
  }

  private Future<Void> load(RoomFeed feed, String room, long head, Long since, String rid, Member member,
      List<User> users) {
    String role = member.session.role(room).wire();
    if (since != null && since <= head && head - since <= config.maxCatchupOps()) {
      return log.allEvents(room, since, head).map(events -> {
        ArrayNode ops = Json.array();
        events.forEach(e -> ops.add(e.toFrame()));
        if (!current(feed, member)) {
          return null;
        }
        member.session.send(ServerFrames.joinedWithOps(room, role, head, ops, users, rid));
        feed.loaded(member, head);
        return null;
      });
    }
    // The snapshot's JSON and hash are O(canvas): built and encoded on a worker, sent from here.
    return log.stateAt(room, head, reducer)
        .compose(vs -> vertx.executeBlocking(() -> Json.write(ServerFrames.joinedWithSnapshot(room, role, head,
            vs.state().toJson(), vs.state().hash(), users, rid)).getBytes(java.nio.charset.StandardCharsets.UTF_8),
            false))
        .map(frame -> {
          if (!current(feed, member)) {
            return null;
          }
          member.session.sendEncoded(frame);
          feed.loaded(member, head);
          return null;
        });
  }

  private void repair(String room, long upTo) {
    RoomFeed feed = feeds.get(room);
    if (feed == null) {
      return;
    }
    long from = feed.delivered;
    metrics.counter("flowstate.gap.repairs").increment();
    log.allEvents(room, from, upTo).onComplete(ar -> {
      if (feeds.get(room) != feed) {
        return;
      }
      if (ar.failed() || ar.result().size() != upTo - from) {
        Log.event(LOG, Level.WARNING, "gap repair incomplete; retrying", null, "room", room, "from", from, "to", upTo);
        vertx.setTimer(REPAIR_RETRY_MS, t -> {
          if (feeds.get(room) == feed) {
            feed.repaired();
          }
        });
        return;
      }
      ar.result().forEach(e -> offerRepaired(feed, e));
      feed.repaired();
    });
  }

  private void catchUp(RoomFeed feed) {
    log.head(feed.room).onSuccess(head -> {
      if (feeds.get(feed.room) == feed && head > feed.delivered && !feed.repairing()) {
        log.allEvents(feed.room, feed.delivered, head).onSuccess(events -> {
          if (feeds.get(feed.room) == feed) {
            events.forEach(e -> offerRepaired(feed, e));
          }
        });
      }
    });
  }

  /** An event read from PostgreSQL: it settles pending submissions just like a live one. */
  private void offerRepaired(RoomFeed feed, OpEvent event) {
    committedListener.accept(event);
    feed.offer(event.version(), Json.write(event.toFrame()));
  }

  private void behind(RoomFeed feed, Member member) {
    feed.members.remove(member.session.id());
    member.session.rooms().remove(feed.room);
    member.session.send(ServerFrames.resync(feed.room, member.cursor));
    metrics.counter("flowstate.resyncs").increment();
    presence.left(member.session, feed.room);
    if (feed.members.isEmpty()) {
      feeds.remove(feed.room);
      unsubscribe(feed.room);
    }
  }
}
