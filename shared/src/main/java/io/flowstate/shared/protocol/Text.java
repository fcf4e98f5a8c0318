package io.flowstate.shared.protocol;

/**
 * What every string that reaches Redis, PostgreSQL or another client must be: well-formed Unicode
 * (no unpaired surrogate, which would become '?' at an encoding boundary and make two ids collide)
 * and free of U+0000 (PostgreSQL text and jsonb cannot hold it, so one such string would fail a
 * whole group commit).
 */
public final class Text {
  private Text() {
  }

  /** Null when {@code s} is storable, else why not. */
  public static String problem(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return "must not contain the NUL character";
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return "must be valid Unicode (it has an unpaired surrogate)";
        }
      } else if (Character.isLowSurrogate(c)) {
        return "must be valid Unicode (it has an unpaired surrogate)";
      }
    }
    return null;
  }

  /** {@code s} without control characters, NUL and unpaired surrogates (for display names). */
  public static String clean(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.append(c).append(s.charAt(++i));
      } else if (!Character.isSurrogate(c) && !Character.isISOControl(c)) {
        out.append(c);
      }
    }
    return out.toString();
  }
}
