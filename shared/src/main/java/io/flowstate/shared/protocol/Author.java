package io.flowstate.shared.protocol;

/** Who wrote an op: the user id that scopes idempotency, and the display name sent in events. */
public record Author(String id, String name) {
}
