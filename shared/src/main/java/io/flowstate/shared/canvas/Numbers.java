package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;

/**
 * The number normalization of the canvas: an integral value with |v| < 2^53 is an integer node
 * (so {@code 1.0} is stored and sent as {@code 1}, and {@code -0} as {@code 0}), anything else a
 * double node. Integer nodes are int-sized when they fit, as Jackson itself parses them.
 */
final class Numbers {
  private static final double TWO_POW_53 = 9_007_199_254_740_992.0;

  private Numbers() {
  }

  static JsonNode node(double v) {
    if (v == Math.rint(v) && Math.abs(v) < TWO_POW_53) {
      long whole = (long) v;
      return whole == (int) whole ? IntNode.valueOf((int) whole) : LongNode.valueOf(whole);
    }
    return DoubleNode.valueOf(v);
  }

  /** The value as the normalized node holds it: {@code -0.0} becomes {@code 0.0}. */
  static double canonical(double v) {
    return v == 0 ? 0.0 : v;
  }
}
