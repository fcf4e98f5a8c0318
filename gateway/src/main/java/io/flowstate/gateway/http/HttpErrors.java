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
public final class HttpErrors {
  private static final Logger LOG = Logger.getLogger(HttpErrors.class.getName());

  private HttpErrors() {
  }

  public static FlowStateException badRequest(String message) {
    return new FlowStateException(ErrorCode.BAD_REQUEST, message);
  }

  public static FlowStateException notFound(String message) {
    return new FlowStateException(ErrorCode.NOT_FOUND, message);
  }

  /**
   * An HTTP-only refusal whose code is not a WebSocket error code: {@code unauthorized} and
   * {@code invalid_credentials} (401), {@code too_large} for a body over the limit (413).
   */
  public static final class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, "unauthorized", message);
  }

  public static FlowStateException forbidden(String message) {
    return new FlowStateException(ErrorCode.FORBIDDEN, message);
  }

  public static FlowStateException conflict(String message) {
    return new FlowStateException(ErrorCode.CONFLICT, message);
  }

  /** Answers {@code status} with a JSON body; for data responses of the HTTP API. */
  public static void json(RoutingContext ctx, int status, Object body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(Json.write((com.fasterxml.jackson.databind.JsonNode) Json.MAPPER.valueToTree(body)));
  }

  public static void noContent(RoutingContext ctx) {
    ctx.response().setStatusCode(204).end();
  }

  public static void send(RoutingContext ctx, Throwable failure) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    int status = 500;
    ErrorCode code = ErrorCode.INTERNAL;
    String message = "internal error";
    if (failure instanceof ApiException e) {
      response.setStatusCode(e.status).putHeader("content-type", "application/json")
          .end(Json.write(Json.object().put("code", e.code).put("message", e.getMessage())));
      return;
    }
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
      case FORBIDDEN -> 403;
      case CONFLICT -> 409;
      case RATE_LIMITED -> 429;
      case UNAVAILABLE -> 503;
      default -> 500;
    };
  }
}
