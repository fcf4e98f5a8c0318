package io.flowstate.gateway.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/rooms/{id}/state?version=V}: 200 {@code {"version","state","hash"}} at V (the head
 * when omitted); 400 for a malformed version or one below 1; 404 for an unknown room or V above the
 * head. The hash is that of PROTOCOL.md, so a client can check a state it rebuilt from the ops.
 */
final class StateHandler {
  private final RoomStates states;
  private final int maxRoomIdLength;

  StateHandler(RoomStates states, int maxRoomIdLength) {
    this.states = states;
    this.maxRoomIdLength = maxRoomIdLength;
  }

  void handle(RoutingContext ctx) {
    Params.RoomAt at;
    try {
      at = Params.roomAt(ctx, maxRoomIdLength);
    } catch (RuntimeException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    states.at(at.room(), at.version()).onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.send(ctx, ar.cause());
        return;
      }
      ctx.response()
          .putHeader("content-type", "application/json")
          .putHeader("etag", "\"" + ar.result().hash() + "\"")
          .end(Buffer.buffer(ar.result().body()));
    });
  }
}
