package io.flowstate.shared.protocol;

/**
 * The error codes of PROTOCOL.md, as sent in {@code error.code}. Inside Java every failure that a
 * client must see carries one of these (see {@link FlowStateException}); the edge translates it.
 */
public enum ErrorCode {
  BAD_REQUEST("bad_request", false),
  INVALID_OP("invalid_op", false),
  NOT_FOUND("not_found", false),
  CONFLICT("conflict", false),
  FORBIDDEN("forbidden", false),
  NOT_JOINED("not_joined", false),
  RATE_LIMITED("rate_limited", true),
  TOO_LARGE("too_large", false),
  NOTHING_TO_UNDO("nothing_to_undo", false),
  NOTHING_TO_REDO("nothing_to_redo", false),
  UNKNOWN_COMMAND("unknown_command", false),
  UNAVAILABLE("unavailable", true),
  INTERNAL("internal", true);

  private final String wire;
  private final boolean temporary;

  ErrorCode(String wire, boolean temporary) {
    this.wire = wire;
    this.temporary = temporary;
  }

  /** The code as written on the wire, e.g. {@code invalid_op}. */
  public String wire() {
    return wire;
  }

  /** Whether retrying the same request later may succeed. */
  public boolean temporary() {
    return temporary;
  }

  /** The code for a wire name, or {@link #INTERNAL} when unknown. */
  public static ErrorCode fromWire(String wire) {
    for (ErrorCode code : values()) {
      if (code.wire.equals(wire)) {
        return code;
      }
    }
    return INTERNAL;
  }
}
