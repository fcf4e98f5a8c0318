package io.flowstate.gateway.ws;

import io.flowstate.shared.protocol.Text;
import io.flowstate.shared.protocol.User;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Makes the identity of a guest connection (guest access, dev mode). The user id is
 * {@code guest-<g>} where {@code g} is the {@code guest} query parameter when the client sends one
 * (a random id it keeps, so its retries after a reconnect are recognised as the same author's),
 * else random; the name is the {@code name} parameter or "Guest NNNN"; the color derives from the id.
 */
final class GuestIdentity {
  private static final int MAX_NAME = 64;
  private static final SecureRandom RANDOM = new SecureRandom();

  private GuestIdentity() {
  }

  private static final java.util.regex.Pattern GUEST_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** The guest for a handshake, or null when the requested guest id is malformed. */
  static User create(String requestedId, String requestedName) {
    String id;
    if (requestedId == null || requestedId.isEmpty()) {
      byte[] bytes = new byte[6];
      RANDOM.nextBytes(bytes);
      id = "guest-" + HexFormat.of().formatHex(bytes);
    } else if (GUEST_ID.matcher(requestedId).matches()) {
      id = "guest-" + requestedId;
    } else {
      return null;
    }
    String cleaned = requestedName == null ? "" : Text.clean(requestedName).strip();
    String name = cleaned.isEmpty()
        ? "Guest " + (1000 + Math.floorMod(id.hashCode(), 9000))
        : cleaned.substring(0, Math.min(MAX_NAME, cleaned.length()));
    return new User(id, name, User.colorFor(id));
  }

}
