package io.flowstate.shared.redis;

import io.flowstate.shared.config.RedisMode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The subscribing Redis connection of a service. Remembers its channels and re-subscribes after a
 * reconnect, then calls the reconnect handler: pub/sub is at-most-once, so messages published
 * while the link was down are lost and the owner must repair from PostgreSQL. Messages on one
 * channel arrive in publish order per publisher connection.
 *
 * <p>On Redis Cluster it uses sharded pub/sub: SSUBSCRIBE/SUNSUBSCRIBE, sent one channel at a
 * time to the node owning the channel's slot (a cluster connection holds one connection per
 * master, all feeding {@link #messageHandler}), and messages arrive as {@code smessage}. A node
 * lost means the link is lost: every channel is subscribed again once all nodes answer.
 */
public final class RedisSubscriber {
  private final RedisLink link;
  private final boolean cluster;
  private final Set<String> channels = new LinkedHashSet<>();
  private BiConsumer<String, String> messageHandler = (c, m) -> { };
  private Runnable reconnectHandler = () -> { };

  public RedisSubscriber(Vertx vertx, String url, String name) {
    this(vertx, RedisMode.STANDALONE, url, name);
  }

  public RedisSubscriber(Vertx vertx, RedisMode mode, String url, String name) {
    this.cluster = mode == RedisMode.CLUSTER;
    this.link = new RedisLink(vertx, mode, url, name + "-sub", this::onConnect);
  }

  /** Receives (channel, payload) for every message, on the owner's context. */
  public RedisSubscriber messageHandler(BiConsumer<String, String> handler) {
    this.messageHandler = handler;
    return this;
  }

  /** Called after the link came back and every channel was subscribed again. */
  public RedisSubscriber reconnectHandler(Runnable handler) {
    this.reconnectHandler = handler;
    return this;
  }

  public Future<Void> start() {
    return link.start();
  }

  public boolean connected() {
    return link.connected();
  }

  /** Subscribes; completes once Redis confirmed, so later publishes are delivered. */
  public Future<Void> subscribe(String channel) {
    if (!channels.add(channel)) {
      return Future.succeededFuture();
    }
    RedisConnection c = link.connection();
    if (c == null) {
      return Future.failedFuture("redis is unavailable");
    }
    return c.send(Request.cmd(cluster ? Command.SSUBSCRIBE : Command.SUBSCRIBE).arg(channel)).mapEmpty();
  }

  public Future<Void> unsubscribe(String channel) {
    if (!channels.remove(channel)) {
      return Future.succeededFuture();
    }
    RedisConnection c = link.connection();
    return c == null ? Future.succeededFuture()
        : c.send(Request.cmd(cluster ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE).arg(channel)).mapEmpty();
  }

  public Future<Void> close() {
    return link.close();
  }

  private Future<Void> onConnect(RedisConnection c) {
    boolean reconnect = link.everConnected();
    c.handler(this::onPush);
    if (channels.isEmpty()) {
      return reconnect ? Future.<Void>succeededFuture().onSuccess(v -> reconnectHandler.run())
          : Future.succeededFuture();
    }
    return subscribeAll(c).onSuccess(v -> {
      if (reconnect) {
        reconnectHandler.run();
      }
    });
  }

  /** Standalone: one SUBSCRIBE for all channels. Cluster: one SSUBSCRIBE per channel (slots differ). */
  private Future<Void> subscribeAll(RedisConnection c) {
    if (!cluster) {
      Request subscribe = Request.cmd(Command.SUBSCRIBE);
      channels.forEach(subscribe::arg);
      return c.send(subscribe).mapEmpty();
    }
    List<Future<Response>> sent = new ArrayList<>(channels.size());
    channels.forEach(channel -> sent.add(c.send(Request.cmd(Command.SSUBSCRIBE).arg(channel))));
    return Future.all(sent).mapEmpty();
  }

  private void onPush(Response push) {
    if ((push.type() != ResponseType.MULTI && push.type() != ResponseType.PUSH) || push.size() < 3) {
      return;
    }
    String kind = push.get(0).toString();
    if ("message".equals(kind) || "smessage".equals(kind)) {
      try {
        messageHandler.accept(push.get(1).toString(), push.get(2).toString());
      } catch (RuntimeException e) {
        // One bad message or handler bug must not stop the subscription.
        java.util.logging.Logger.getLogger(RedisSubscriber.class.getName()).log(java.util.logging.Level.SEVERE,
            "handler failed for a message on " + push.get(1), e);
      }
    }
  }
}
