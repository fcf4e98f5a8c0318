package io.flowstate.shared.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.RedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command Redis connection of a service, used for PUBLISH. One connection, pipelined: what
 * the owner publishes reaches Redis in call order, which is what makes per-room event order and
 * per-client submission order hold. Also carries the few other commands a service needs (the
 * members registry) through {@link #send}. Fails fast while Redis is unreachable (no buffering).
 */
public final class RedisPublisher {
  private final RedisLink link;

  public RedisPublisher(Vertx vertx, String url, String name) {
    this.link = new RedisLink(vertx, url, name + "-pub", c -> {
      c.handler(r -> { });
      return Future.succeededFuture();
    });
  }

  public Future<Void> start() {
    return link.start();
  }

  public boolean connected() {
    return link.connected();
  }

  public Future<Void> publish(String channel, String payload) {
    RedisConnection c = link.connection();
    if (c == null) {
      return Future.failedFuture("redis is unavailable");
    }
    return c.send(Request.cmd(Command.PUBLISH).arg(channel).arg(payload)).mapEmpty();
  }

  /** Publishes (channel, payload) pairs in order as one pipelined batch. */
  public Future<Void> publishAll(List<Map.Entry<String, String>> messages) {
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    RedisConnection c = link.connection();
    if (c == null) {
      return Future.failedFuture("redis is unavailable");
    }
    List<Request> requests = new ArrayList<>(messages.size());
    for (Map.Entry<String, String> m : messages) {
      requests.add(Request.cmd(Command.PUBLISH).arg(m.getKey()).arg(m.getValue()));
    }
    return c.batch(requests).mapEmpty();
  }

  /** Sends any command on this connection, in order with the publishes. */
  public Future<io.vertx.redis.client.Response> send(Request request) {
    RedisConnection c = link.connection();
    return c == null ? Future.failedFuture("redis is unavailable") : c.send(request);
  }

  /** Sends commands as one pipelined batch. */
  public Future<List<io.vertx.redis.client.Response>> batch(List<Request> requests) {
    RedisConnection c = link.connection();
    return c == null ? Future.failedFuture("redis is unavailable") : c.batch(requests);
  }

  public Future<Void> close() {
    return link.close();
  }
}
