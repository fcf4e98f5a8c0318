package io.flowstate.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.canvas.CanvasState;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.store.OpLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;

/**
 * Room states at past versions for the HTTP endpoints: checks the version against the committed
 * head, then serves from the {@link StateCache} or rebuilds with {@link OpLog#stateAt} (latest
 * snapshot plus the log tail) and serializes off the event loop. Concurrent requests for the same
 * (room, version) share one rebuild. Use on the gateway's event loop.
 */
final class RoomStates {
  private final Vertx vertx;
  private final OpLog log;
  private final Reducer reducer;
  private final StateCache cache;
  private final Map<StateCache.Key, Future<RenderedState>> building = new HashMap<>();

  RoomStates(Vertx vertx, OpLog log, Reducer reducer, StateCache cache) {
    this.vertx = vertx;
    this.log = log;
    this.reducer = reducer;
    this.cache = cache;
  }

  /**
   * The committed head of a room (0 for a canvas without ops yet); fails {@code not_found} for a
   * room that does not exist.
   */
  Future<Long> head(String room) {
    return log.headIfExists(room).compose(head -> head >= 0 ? Future.succeededFuture(head)
        : Future.failedFuture(HttpErrors.notFound("room not found")));
  }

  /**
   * The state at {@code version} (the head when null); fails {@code not_found} for an unknown room
   * or a version above the head.
   */
  Future<RenderedState> at(String room, Long version) {
    return head(room).compose(head -> {
      if (version != null && version > head) {
        return Future.failedFuture(HttpErrors.notFound("version " + version + " is above the room's head " + head));
      }
      return load(new StateCache.Key(room, version == null ? head : version));
    });
  }

  private Future<RenderedState> load(StateCache.Key key) {
    RenderedState cached = cache.get(key);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    Future<RenderedState> pending = building.get(key);
    if (pending != null) {
      return pending;
    }
    Promise<RenderedState> promise = Promise.promise();
    building.put(key, promise.future());
    log.stateAt(key.room(), key.version(), reducer)
        .compose(at -> vertx.executeBlocking(() -> render(at.version(), at.state()), false))
        .onComplete(ar -> {
          building.remove(key);
          if (ar.succeeded()) {
            cache.put(key, ar.result());
          }
          promise.handle(ar);
        });
    return promise.future();
  }

  private static RenderedState render(long version, CanvasState state) throws JsonProcessingException {
    String hash = state.hash();
    ObjectNode body = Json.object();
    body.put("version", version);
    body.set("state", state.toJson());
    body.put("hash", hash);
    return new RenderedState(version, hash, Json.MAPPER.writeValueAsBytes(body));
  }
}
