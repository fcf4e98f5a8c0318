package io.flowstate.shared.canvas;

import java.util.Comparator;

/**
 * Orders strings by Unicode code point, as PROTOCOL.md sorts shape ids. {@link String#compareTo}
 * compares UTF-16 units, which puts U+10000 and above before U+E000..U+FFFF; this does not.
 */
final class CodePointOrder implements Comparator<String> {
  static final CodePointOrder INSTANCE = new CodePointOrder();

  private CodePointOrder() {
  }

  @Override
  public int compare(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char ca = a.charAt(i);
      char cb = b.charAt(i);
      if (ca != cb) {
        return rank(ca) - rank(cb);
      }
    }
    return a.length() - b.length();
  }

  /** Moves surrogates above every other UTF-16 unit, which makes unit order code point order. */
  private static int rank(char c) {
    if (c < Character.MIN_SURROGATE) {
      return c;
    }
    return c <= Character.MAX_SURROGATE ? c + 0x2000 : c - 0x800;
  }
}
