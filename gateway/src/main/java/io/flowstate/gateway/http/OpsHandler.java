package io.flowstate.gateway.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.Json;
import io.flowstate.shared.protocol.OpEvent;
import io.flowstate.shared.store.OpLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /v1/rooms/{id}/ops?after=V&limit=N}: the committed {@code op} events with versions
 * above {@code after} (default 0), ascending, at most {@code limit} (default 100, capped at the
 * configured page maximum), read up to the head as it was at the request; {@code next} is the
 * {@code after} of the next page, or null when this page reaches the head. 400 bad params, 404 unknown room.
 */
final class OpsHandler {
  static final int DEFAULT_LIMIT = 100;

  private final Vertx vertx;
  private final OpLog log;
  private final RoomStates states;
  private final int maxRoomIdLength;
  private final int maxPage;

  OpsHandler(Vertx vertx, OpLog log, RoomStates states, int maxRoomIdLength, int maxPage) {
    this.vertx = vertx;
    this.log = log;
    this.states = states;
    this.maxRoomIdLength = maxRoomIdLength;
    this.maxPage = Math.max(1, maxPage);
  }

  void handle(RoutingContext ctx) {
    String room;
    long after;
    int limit;
    try {
      room = Params.room(ctx, maxRoomIdLength);
      after = Params.integer(ctx, "after", 0, 0);
      limit = (int) Math.min(maxPage, Params.integer(ctx, "limit", DEFAULT_LIMIT, 1));
    } catch (RuntimeException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    states.head(room)
        .compose(head -> after >= head ? Future.succeededFuture(page(List.of(), head))
            : log.events(room, after, head, limit)
                .compose(events -> vertx.executeBlocking(() -> page(events, head), false)))
        .onComplete(ar -> {
          if (ar.failed()) {
            HttpErrors.send(ctx, ar.cause());
            return;
          }
          ctx.response().putHeader("content-type", "application/json").end(ar.result());
        });
  }

  private static Buffer page(List<OpEvent> events, long head) {
    ObjectNode body = Json.object();
    ArrayNode ops = body.putArray("ops");
    for (OpEvent event : events) {
      ops.add(event.toFrame());
    }
    long last = events.isEmpty() ? head : events.get(events.size() - 1).version();
    if (last < head) {
      body.put("next", last);
    } else {
      body.putNull("next");
    }
    return Buffer.buffer(Json.write(body));
  }
}
