package io.flowstate.shared.canvas;

import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;

/** Shorthands for the protocol errors that canvas validation raises. */
final class Faults {
  private Faults() {
  }

  static FlowStateException invalid(String message) {
    return new FlowStateException(ErrorCode.INVALID_OP, message);
  }

  static FlowStateException tooLarge(String message) {
    return new FlowStateException(ErrorCode.TOO_LARGE, message);
  }

  static FlowStateException notFound(String id) {
    return new FlowStateException(ErrorCode.NOT_FOUND, "shape '" + id + "' does not exist");
  }

  static FlowStateException conflict(String id) {
    return new FlowStateException(ErrorCode.CONFLICT, "shape '" + id + "' already exists");
  }

  /** The same error with {@code prefix} before its message, e.g. {@code ops[2]: }. */
  static FlowStateException prefixed(String prefix, FlowStateException e) {
    return new FlowStateException(e.code(), prefix + e.getMessage());
  }
}
