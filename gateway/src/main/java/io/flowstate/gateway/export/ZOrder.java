package io.flowstate.gateway.export;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;

/**
 * Paint order of the exports, bottom first: shapes without {@code z} first, then by {@code z} in
 * code-point order (fractional indexes compare as strings), ties and the z-less shapes by id in
 * code-point order. Total and stable across servers, so the same state always draws the same way.
 */
final class ZOrder implements Comparator<JsonNode> {
  static final ZOrder INSTANCE = new ZOrder();

  private ZOrder() {
  }

  @Override
  public int compare(JsonNode a, JsonNode b) {
    JsonNode za = a.get("z");
    JsonNode zb = b.get("z");
    if (za == null || zb == null) {
      if (za != zb) {
        return za == null ? -1 : 1;
      }
    } else {
      int byZ = codePoints(za.asText(), zb.asText());
      if (byZ != 0) {
        return byZ;
      }
    }
    return codePoints(a.path("id").asText(), b.path("id").asText());
  }

  /** Code-point order; {@link String#compareTo} would order by UTF-16 units instead. */
  static int codePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
