package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.JsonNode;

/** The ranges a canvas number may be restricted to; every one excludes NaN and infinities. */
enum NumberRule {
  FINITE(" must be a finite number"),
  NON_NEGATIVE(" must be a finite number >= 0"),
  UNIT(" must be a finite number in [0, 1]"),
  POSITIVE(" must be a finite number > 0");

  private final String message;

  NumberRule(String message) {
    this.message = message;
  }

  /** The value of {@code node} when it is a number this rule accepts, {@code -0} read as {@code 0}. */
  double check(JsonNode node, String path) {
    if (node == null || !node.isNumber()) {
      throw Faults.invalid(path + message);
    }
    return check(node.doubleValue(), path);
  }

  double check(double v, String path) {
    if (!accepts(v)) {
      throw Faults.invalid(path + message);
    }
    return Numbers.canonical(v);
  }

  private boolean accepts(double v) {
    if (!Double.isFinite(v)) {
      return false;
    }
    return switch (this) {
      case FINITE -> true;
      case NON_NEGATIVE -> v >= 0;
      case UNIT -> v >= 0 && v <= 1;
      case POSITIVE -> v > 0;
    };
  }
}
