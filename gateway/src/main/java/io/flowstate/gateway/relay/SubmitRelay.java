package io.flowstate.gateway.relay;

import io.flowstate.gateway.ws.Session;
import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.protocol.Delivery;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.OpEvent;
import io.flowstate.shared.protocol.ServerFrames;
import io.flowstate.shared.protocol.Submission;
import io.flowstate.shared.redis.RedisPublisher;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Sends submissions to the sequencer (PUBLISH on the room's shard channel, over one connection so
 * a connection's ops reach the sequencer in the order it sent them) and settles each one: by its
 * committed event, by a reply from the sequencer (error or duplicate ack), or, after the
 * configured timeout, with {@code unavailable} — the client then retries with the same id.
 */
public final class SubmitRelay {
  private final Vertx vertx;
  private final GatewayConfig config;
  private final Channels channels;
  private final RedisPublisher publisher;
  private final Function<String, Session> sessions;
  private final Map<Key, ArrayDeque<Pending>> pending = new HashMap<>();
  private Consumer<String> timeoutListener = room -> { };
  private Runnable redisErrors = () -> { };

  private record Key(String room, String authorId, String id) {
  }

  private record Pending(Session session, String rid, long timer) {
  }

  public SubmitRelay(Vertx vertx, GatewayConfig config, Channels channels, RedisPublisher publisher, Function<String, Session> sessions) {
    this.vertx = vertx;
    this.config = config;
    this.channels = channels;
    this.publisher = publisher;
    this.sessions = sessions;
  }

  /** Called with the room of a submission that timed out (the gateway then checks for lost events). */
  public void onTimeout(Consumer<String> listener) {
    this.timeoutListener = listener;
  }

  /** Called when a publish to Redis failed. */
  public void onRedisError(Runnable listener) {
    this.redisErrors = listener;
  }

  public int pendingCount() {
    int n = 0;
    for (ArrayDeque<Pending> q : pending.values()) {
      n += q.size();
    }
    return n;
  }

  public void submit(Session session, String action, String room, String id, String rid,
      com.fasterxml.jackson.databind.JsonNode op) {
    Key key = new Key(room, session.user().id(), id);
    Submission s = new Submission(action, config.gatewayId(), session.id(), room, session.user().author(), id, rid, op);
    long timer = vertx.setTimer(config.opTimeoutMs(), t -> expire(key, t));
    pending.computeIfAbsent(key, k -> new ArrayDeque<>()).add(new Pending(session, rid, timer));
    publisher.publish(channels.shard(Channels.shardOf(room, config.shardCount())), s.encode())
        .onFailure(e -> redisErrors.run())
        .onFailure(e -> settleOne(key, timer, p -> p.session().send(ServerFrames.error(ErrorCode.UNAVAILABLE,
            "ordering service unreachable; retry with the same id", p.rid(), room, id))));
  }

  /** A committed event went by: its submission (if it came through here) is acknowledged. */
  public void committed(OpEvent event) {
    ArrayDeque<Pending> q = pending.remove(new Key(event.room(), event.author().id(), event.id()));
    if (q != null) {
      q.forEach(p -> vertx.cancelTimer(p.timer()));
    }
  }

  /** A reply from the sequencer for one of this gateway's connections. */
  public void delivered(Delivery d) {
    Key key = new Key(d.room(), d.authorId(), d.id());
    ArrayDeque<Pending> q = pending.get(key);
    if (q != null) {
      Pending p = q.poll();
      vertx.cancelTimer(p.timer());
      if (q.isEmpty()) {
        pending.remove(key);
      }
    }
    Session session = sessions.apply(d.conn());
    if (session != null && !session.closed()) {
      session.send((com.fasterxml.jackson.databind.node.ObjectNode) d.frame());
    }
  }

  /** Forgets a connection's pending submissions in a room it left (it will not see their events). */
  public void forget(Session session, String room) {
    forget(session, key -> key.room().equals(room));
  }

  /** Forgets a closed connection's pending submissions. */
  public void forget(Session session) {
    forget(session, key -> true);
  }

  private void forget(Session session, java.util.function.Predicate<Key> which) {
    for (Iterator<Map.Entry<Key, ArrayDeque<Pending>>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, ArrayDeque<Pending>> entry = it.next();
      if (!which.test(entry.getKey())) {
        continue;
      }
      entry.getValue().removeIf(p -> {
        if (p.session() == session) {
          vertx.cancelTimer(p.timer());
          return true;
        }
        return false;
      });
      if (entry.getValue().isEmpty()) {
        it.remove();
      }
    }
  }

  private void expire(Key key, long timer) {
    settleOne(key, timer, p -> {
      p.session().send(ServerFrames.error(ErrorCode.UNAVAILABLE,
          "the ordering service did not answer in time; retry with the same id", p.rid(), key.room(), key.id()));
      timeoutListener.accept(key.room());
    });
  }

  private void settleOne(Key key, long timer, Consumer<Pending> action) {
    ArrayDeque<Pending> q = pending.get(key);
    if (q == null) {
      return;
    }
    for (Iterator<Pending> it = q.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.timer() == timer) {
        it.remove();
        vertx.cancelTimer(timer);
        if (q.isEmpty()) {
          pending.remove(key);
        }
        action.accept(p);
        return;
      }
    }
  }
}
