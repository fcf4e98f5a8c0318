package io.flowstate.gateway.http;

import io.flowstate.gateway.export.PngExporter;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Strict reads of the history endpoints' path and query parameters: integers are plain decimal
 * digits (no sign, no exponent), a parameter given twice or empty is refused; every refusal is a
 * {@code bad_request} naming the parameter.
 */
final class Params {
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9})?|\\.[0-9]{1,9}");

  private Params() {
  }

  /** The room id from the path: 1 to {@code maxLength} characters. */
  static String room(RoutingContext ctx, int maxLength) {
    String room = ctx.pathParam("id");
    if (room == null || room.isEmpty() || room.length() > maxLength) {
      throw HttpErrors.badRequest("room must be 1 to " + maxLength + " characters");
    }
    return room;
  }

  /** {@code version}, an integer >= 1, or null when absent (meaning the head). */
  static Long version(RoutingContext ctx) {
    String value = single(ctx, "version");
    if (value == null) {
      return null;
    }
    return integer(value, "version", 1);
  }

  /** An integer parameter >= {@code min}, {@code fallback} when absent. */
  static long integer(RoutingContext ctx, String name, long fallback, long min) {
    String value = single(ctx, name);
    return value == null ? fallback : integer(value, name, min);
  }

  /** {@code scale}: a decimal number in (0, {@link PngExporter#MAX_SCALE}], 1 when absent. */
  static double scale(RoutingContext ctx) {
    String value = single(ctx, "scale");
    if (value == null) {
      return 1;
    }
    double scale = DECIMAL.matcher(value).matches() ? Double.parseDouble(value) : Double.NaN;
    if (!(scale > 0 && scale <= PngExporter.MAX_SCALE)) {
      throw HttpErrors.badRequest("scale must be a number > 0 and <= " + (int) PngExporter.MAX_SCALE);
    }
    return scale;
  }

  private static long integer(String value, String name, long min) {
    if (!DIGITS.matcher(value).matches() || Long.parseLong(value) < min) {
      throw HttpErrors.badRequest(name + " must be an integer >= " + min);
    }
    return Long.parseLong(value);
  }

  private static String single(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParam(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw HttpErrors.badRequest(name + " must be given once");
    }
    return values.get(0);
  }

  /** A room and an optional version, read together by the state and export endpoints. */
  record RoomAt(String room, Long version) {
  }

  static RoomAt roomAt(io.vertx.ext.web.RoutingContext ctx, int maxRoomIdLength) {
    return new RoomAt(room(ctx, maxRoomIdLength), version(ctx));
  }
}
