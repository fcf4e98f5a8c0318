package io.flowstate.gateway.http;

import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The edge translation of failures into HTTP: {@code bad_request} and {@code too_large} → 400,
 * {@code not_found} → 404, anything else → 500 {@code internal} (logged, details not sent). The body
 * is always {@code {"code": …, "message": …}} with a code from PROTOCOL.md.
 */
final class HttpErrors {
  private static final Logger LOG = Logger.getLogger(HttpErrors.class.getName());

  private HttpErrors() {
  }

  static FlowStateException badRequest(String message) {
    return new FlowStateException(ErrorCode.BAD_REQUEST, message);
  }

  static FlowStateException notFound(String message) {
    return new FlowStateException(ErrorCode.NOT_FOUND, message);
  }

  static void send(RoutingContext ctx, Throwable failure) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    int status = 500;
    ErrorCode code = ErrorCode.INTERNAL;
    String message = "internal error";
    if (failure instanceof FlowStateException e && statusOf(e.code()) != 500) {
      status = statusOf(e.code());
      code = e.code();
      message = e.getMessage();
    } else {
      LOG.log(Level.WARNING, ctx.request().method() + " " + ctx.request().path() + " failed", failure);
    }
    String body = Json.write(Json.object().put("code", code.wire()).put("message", message));
    response.setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }

  private static int statusOf(ErrorCode code) {
    return switch (code) {
      case BAD_REQUEST, TOO_LARGE -> 400;
      case NOT_FOUND -> 404;
      default -> 500;
    };
  }
}
