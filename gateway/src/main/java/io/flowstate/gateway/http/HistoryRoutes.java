package io.flowstate.gateway.http;

import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.config.GatewayConfig;
import io.flowstate.shared.store.OpLog;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * The read-only HTTP history of rooms: {@code /v1/rooms/{id}/state}, {@code /ops},
 * {@code /export.svg} and {@code /export.png} (docs/PROTOCOL.md, "HTTP history and export"). Owns
 * the shared state cache and the export worker pool; construct it on the gateway verticle's context
 * so that the pool is closed when the verticle is undeployed.
 */
public final class HistoryRoutes {
  private final StateHandler state;
  private final OpsHandler ops;
  private final ExportHandler export;

  public HistoryRoutes(Vertx vertx, GatewayConfig config, OpLog log, Reducer reducer) {
    RoomStates states = new RoomStates(vertx, log, reducer,
        new StateCache(config.historyCacheEntries(), config.historyCacheBytes()));
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("flowstate-export-" + config.gatewayId(),
        Math.max(1, config.exportWorkers()));
    this.state = new StateHandler(states, config.maxRoomIdLength());
    this.ops = new OpsHandler(vertx, log, states, config.maxRoomIdLength(), config.maxOpsPage());
    this.export = new ExportHandler(states, workers, config.maxRoomIdLength(), config.maxExportPixels());
  }

  /** Handlers by OpenAPI operationId (permissions are checked before them, see {@link ApiAuth}). */
  public java.util.Map<String, io.vertx.core.Handler<io.vertx.ext.web.RoutingContext>> handlers() {
    return java.util.Map.of("getRoomState", state::handle, "getRoomOps", ops::handle, "exportSvg", export::svg,
        "exportPng", export::png);
  }
}
