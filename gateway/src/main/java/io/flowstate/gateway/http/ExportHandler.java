package io.flowstate.gateway.http;

import io.flowstate.gateway.export.PngExporter;
import io.flowstate.gateway.export.Scene;
import io.flowstate.gateway.export.SvgExporter;
import io.flowstate.shared.protocol.Json;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.function.Function;

/**
 * {@code GET /v1/rooms/{id}/export.svg?version=V} and {@code …/export.png?version=V&scale=S}: the
 * state at V (head when omitted, same 400/404 rules as {@code /state}) drawn by the exporters. Layout
 * and rendering run on a dedicated, bounded worker pool so exports never hold the event loop nor
 * starve other blocking work; a PNG over the pixel limit or with a bad scale is a 400.
 */
final class ExportHandler {
  private static final String SVG = "image/svg+xml";
  private static final String PNG = "image/png";

  private final RoomStates states;
  private final WorkerExecutor workers;
  private final int maxRoomIdLength;
  private final SvgExporter svg = new SvgExporter();
  private final PngExporter png;

  ExportHandler(RoomStates states, WorkerExecutor workers, int maxRoomIdLength, long maxPixels) {
    this.states = states;
    this.workers = workers;
    this.maxRoomIdLength = maxRoomIdLength;
    this.png = new PngExporter(maxPixels);
  }

  void svg(RoutingContext ctx) {
    export(ctx, SVG, svg::render);
  }

  void png(RoutingContext ctx) {
    double scale;
    try {
      scale = Params.scale(ctx);
    } catch (RuntimeException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    export(ctx, PNG, scene -> png.render(scene, scale));
  }

  private void export(RoutingContext ctx, String contentType, Function<Scene, byte[]> renderer) {
    Params.RoomAt at;
    try {
      at = Params.roomAt(ctx, maxRoomIdLength);
    } catch (RuntimeException e) {
      HttpErrors.send(ctx, e);
      return;
    }
    states.at(at.room(), at.version())
        .compose(state -> workers.executeBlocking(() -> renderer.apply(scene(state)), false))
        .onComplete(ar -> {
          if (ar.failed()) {
            HttpErrors.send(ctx, ar.cause());
            return;
          }
          ctx.response()
              .putHeader("content-type", contentType)
              .putHeader("x-content-type-options", "nosniff")
              .putHeader("content-security-policy", "default-src 'none'")
              .end(Buffer.buffer(ar.result()));
        });
  }

  private static Scene scene(RenderedState state) throws IOException {
    return Scene.of(Json.MAPPER.readTree(state.body()).get("state"));
  }
}
