package io.flowstate.shared.protocol;

/**
 * The one exception type that carries a protocol {@link ErrorCode} and a human message. Thrown
 * by validation, the reducer and the services; translated into an {@code error} frame at the edge.
 */
public final class FlowStateException extends RuntimeException {
  private final ErrorCode code;

  public FlowStateException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
