package io.flowstate.shared.redis;

import io.flowstate.shared.config.RedisMode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command Redis connection of a service, used for PUBLISH. One connection, pipelined: what
 * the owner publishes reaches Redis in call order, which is what makes per-room event order and
 * per-client submission order hold. Also carries the few other commands a service needs (the
 * members registry) through {@link #send}. Fails fast while Redis is unreachable (no buffering).
 *
 * <p>On Redis Cluster it publishes with SPUBLISH, which goes to the node owning the channel's
 * slot over that node's one connection: order holds per channel (and per node), not across nodes.
 * A batch may span slots, so {@link #publishAll} and {@link #batch} send each command on its own
 * (still pipelined per node, in call order) instead of one cross-slot batch.
 */
public final class RedisPublisher {
  private final RedisLink link;
  private final boolean cluster;

  public RedisPublisher(Vertx vertx, String url, String name) {
    this(vertx, RedisMode.STANDALONE, url, name);
  }

  public RedisPublisher(Vertx vertx, RedisMode mode, String url, String name) {
    this.cluster = mode == RedisMode.CLUSTER;
    this.link = new RedisLink(vertx, mode, url, name + "-pub", c -> {
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
    return c.send(publishRequest(channel, payload)).mapEmpty();
  }

  /** Publishes (channel, payload) pairs in order as one pipelined batch (per node on a cluster). */
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
      requests.add(publishRequest(m.getKey(), m.getValue()));
    }
    return (cluster ? eachAlone(c, requests) : c.batch(requests)).mapEmpty();
  }

  /** Sends any command on this connection, in order with the publishes (per node on a cluster). */
  public Future<Response> send(Request request) {
    RedisConnection c = link.connection();
    return c == null ? Future.failedFuture("redis is unavailable") : c.send(request);
  }

  /** Sends commands as one pipelined batch; on a cluster, each to its key's node. */
  public Future<List<Response>> batch(List<Request> requests) {
    RedisConnection c = link.connection();
    if (c == null) {
      return Future.failedFuture("redis is unavailable");
    }
    return cluster ? eachAlone(c, requests) : c.batch(requests);
  }

  public Future<Void> close() {
    return link.close();
  }

  private Request publishRequest(String channel, String payload) {
    return Request.cmd(cluster ? Command.SPUBLISH : Command.PUBLISH).arg(channel).arg(payload);
  }

  /**
   * Sends every request on its own, all before the first reply: the cluster connection routes
   * each by its key synchronously, so requests for one slot reach its node in list order.
   */
  private static Future<List<Response>> eachAlone(RedisConnection c, List<Request> requests) {
    List<Future<Response>> replies = new ArrayList<>(requests.size());
    for (Request r : requests) {
      replies.add(c.send(r));
    }
    return Future.all(replies).map(all -> {
      List<Response> list = new ArrayList<>(replies.size());
      for (int i = 0; i < replies.size(); i++) {
        list.add(all.resultAt(i));
      }
      return list;
    });
  }
}
