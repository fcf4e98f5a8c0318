package io.flowstate.sequencer.publish;

import io.flowstate.shared.channel.Channels;
import io.flowstate.shared.protocol.Delivery;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.protocol.OpEvent;
import io.flowstate.shared.redis.RedisPublisher;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Publishes what a commit produced: op events on their room channels (in version order, over one
 * pipelined connection) and replies on the submitting gateways' channels. Called only after the
 * commit succeeded, which is what makes "durable before visible" hold. A lost publish is repaired
 * by gateways from PostgreSQL when they see the gap.
 */
public final class CommitPublisher {
  private final RedisPublisher redis;
  private final Channels channels;

  public CommitPublisher(RedisPublisher redis, Channels channels) {
    this.redis = redis;
    this.channels = channels;
  }

  /** A frame for one connection behind one gateway. */
  public record Reply(String gateway, Delivery delivery) {
  }

  public Future<Void> publish(List<OpEvent> events, List<Reply> replies) {
    List<Map.Entry<String, String>> messages = new ArrayList<>(events.size() + replies.size());
    for (OpEvent e : events) {
      messages.add(Map.entry(channels.room(e.room()), Json.write(e.toFrame())));
    }
    for (Reply r : replies) {
      messages.add(Map.entry(channels.gateway(r.gateway()), r.delivery().encode()));
    }
    return redis.publishAll(messages);
  }

  public boolean connected() {
    return redis.connected();
  }
}
