package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The canvas hash of PROTOCOL.md: lowercase hex SHA-256 of the UTF-8 RFC 8785 form of the
 * sorted shapes array. The array's canonical form is its elements' canonical forms joined by
 * commas in brackets, so each shape is canonicalized on its own (and can be cached) and
 * streamed into the digest.
 * Strings are well-formed UTF-16 (the schema rejects unpaired surrogates), so UTF-8 is exact.
 */
final class CanvasHash {
  private CanvasHash() {
  }

  /** The hash of the array whose elements have these canonical UTF-8 forms, in this order. */
  static String of(List<byte[]> canonicalShapes) {
    MessageDigest sha256 = sha256();
    sha256.update((byte) '[');
    for (int i = 0; i < canonicalShapes.size(); i++) {
      if (i > 0) {
        sha256.update((byte) ',');
      }
      sha256.update(canonicalShapes.get(i));
    }
    sha256.update((byte) ']');
    return HexFormat.of().formatHex(sha256.digest());
  }

  /** The canonical UTF-8 form of one shape. */
  static byte[] canonical(ObjectNode shape) {
    StringBuilder out = new StringBuilder(256);
    CanonicalJson.write(shape, out);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
