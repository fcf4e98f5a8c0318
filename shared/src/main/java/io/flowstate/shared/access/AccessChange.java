package io.flowstate.shared.access;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.flowstate.shared.protocol.Json;

/**
 * A change of who may do what, published on the access channel after it is committed to
 * PostgreSQL: every cached {@link RoomAccess} it names is dropped and re-read, and gateways
 * re-check their live connections. A null field matches everything, so {@code workspace} alone
 * covers a whole workspace and {@code user} alone every room of that user. {@code revokedBefore}
 * (epoch seconds) is set on logout-all: the user's tokens issued before it are no longer valid.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AccessChange(String workspace, String canvas, String user, Long revokedBefore) {

  public static AccessChange workspace(String workspace) {
    return new AccessChange(workspace, null, null, null);
  }

  public static AccessChange member(String workspace, String user) {
    return new AccessChange(workspace, null, user, null);
  }

  public static AccessChange canvas(String canvas, String user) {
    return new AccessChange(null, canvas, user, null);
  }

  public static AccessChange revoked(String user, long revokedBeforeEpochSeconds) {
    return new AccessChange(null, null, user, revokedBeforeEpochSeconds);
  }

  public String encode() {
    try {
      return Json.MAPPER.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static AccessChange decode(String text) throws JsonProcessingException {
    return Json.MAPPER.readValue(text, AccessChange.class);
  }
}
