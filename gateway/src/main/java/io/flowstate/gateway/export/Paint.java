package io.flowstate.gateway.export;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An sRGB colour with alpha, parsed from a shape's {@code style.stroke}/{@code style.fill}. Both
 * exporters draw a style colour only through this type, so user strings never reach the SVG as
 * is and SVG and PNG agree. Understood: {@code #rgb[a]}, {@code #rrggbb[aa]}, {@code rgb[a]()},
 * {@code hsl[a]()}, the CSS named colours, {@code none}/{@code transparent}; anything else is
 * unrecognised and the renderer uses its default.
 */
record Paint(int red, int green, int blue, double alpha) {
  /** No paint at all ({@code none}, {@code transparent}). */
  static final Paint NONE = new Paint(0, 0, 0, 0);
  static final Paint BLACK = new Paint(0, 0, 0, 1);

  private static final Map<String, Paint> NAMED = named();

  boolean isNone() {
    return alpha <= 0;
  }

  /** {@code #rrggbb}, without alpha (see {@link #alpha()}). */
  String hex() {
    return String.format(Locale.ROOT, "#%02x%02x%02x", red, green, blue);
  }

  /** The colour of {@code css}, or {@code fallback} when it is absent or not understood. */
  static Paint parse(String css, Paint fallback) {
    if (css == null) {
      return fallback;
    }
    String s = css.trim().toLowerCase(Locale.ROOT);
    Paint p;
    try {
      if (s.startsWith("#")) {
        p = hexColour(s.substring(1));
      } else if (s.startsWith("rgb(") || s.startsWith("rgba(")) {
        p = function(s, false);
      } else if (s.startsWith("hsl(") || s.startsWith("hsla(")) {
        p = function(s, true);
      } else if (s.equals("none") || s.equals("transparent")) {
        p = NONE;
      } else {
        p = NAMED.get(s);
      }
    } catch (NumberFormatException e) {
      p = null;
    }
    return p == null ? fallback : p;
  }

  private static Paint hexColour(String h) {
    if (!h.matches("[0-9a-f]{3,8}")) {
      return null;
    }
    return switch (h.length()) {
      case 3, 4 -> new Paint(nibble(h, 0), nibble(h, 1), nibble(h, 2), h.length() == 4 ? nibble(h, 3) / 255.0 : 1);
      case 6, 8 -> new Paint(octet(h, 0), octet(h, 2), octet(h, 4), h.length() == 8 ? octet(h, 6) / 255.0 : 1);
      default -> null;
    };
  }

  private static int nibble(String h, int i) {
    return Character.digit(h.charAt(i), 16) * 17;
  }

  private static int octet(String h, int i) {
    return Integer.parseInt(h.substring(i, i + 2), 16);
  }

  /** {@code rgb(r g b / a)}, {@code rgb(r, g, b, a)} and the same for hsl; alpha may be a percentage. */
  private static Paint function(String s, boolean hsl) {
    if (!s.endsWith(")")) {
      return null;
    }
    String body = s.substring(s.indexOf('(') + 1, s.length() - 1).replace('/', ' ').replace(',', ' ').trim();
    String[] parts = body.split("\\s+");
    if (parts.length != 3 && parts.length != 4) {
      return null;
    }
    double alpha = parts.length == 4 ? unit(parts[3], 1) : 1;
    if (hsl) {
      double hue = Double.parseDouble(parts[0].endsWith("deg") ? parts[0].substring(0, parts[0].length() - 3) : parts[0]);
      return fromHsl(hue, percent(parts[1]), percent(parts[2]), alpha);
    }
    return new Paint(channel(parts[0]), channel(parts[1]), channel(parts[2]), alpha);
  }

  private static int channel(String v) {
    double value = v.endsWith("%") ? percent(v) * 255 : finite(Double.parseDouble(v));
    return (int) Math.round(Math.max(0, Math.min(255, value)));
  }

  private static double unit(String v, double max) {
    double value = v.endsWith("%") ? percent(v) : finite(Double.parseDouble(v));
    return Math.max(0, Math.min(max, value));
  }

  private static double percent(String v) {
    if (!v.endsWith("%")) {
      throw new NumberFormatException("not a percentage: " + v);
    }
    return Math.max(0, Math.min(1, finite(Double.parseDouble(v.substring(0, v.length() - 1))) / 100));
  }

  private static double finite(double v) {
    if (!Double.isFinite(v)) {
      throw new NumberFormatException("not finite");
    }
    return v;
  }

  private static Paint fromHsl(double hue, double sat, double light, double alpha) {
    double h = ((finite(hue) % 360) + 360) % 360 / 60;
    double c = (1 - Math.abs(2 * light - 1)) * sat;
    double x = c * (1 - Math.abs(h % 2 - 1));
    double m = light - c / 2;
    double[] rgb = switch ((int) h) {
      case 0 -> new double[] {c, x, 0};
      case 1 -> new double[] {x, c, 0};
      case 2 -> new double[] {0, c, x};
      case 3 -> new double[] {0, x, c};
      case 4 -> new double[] {x, 0, c};
      default -> new double[] {c, 0, x};
    };
    return new Paint((int) Math.round((rgb[0] + m) * 255), (int) Math.round((rgb[1] + m) * 255),
        (int) Math.round((rgb[2] + m) * 255), alpha);
  }

  private static Map<String, Paint> named() {
    String table = "aliceblue f0f8ff antiquewhite faebd7 aqua 00ffff aquamarine 7fffd4 azure f0ffff beige f5f5dc"
        + " bisque ffe4c4 black 000000 blanchedalmond ffebcd blue 0000ff blueviolet 8a2be2 brown a52a2a"
        + " burlywood deb887 cadetblue 5f9ea0 chartreuse 7fff00 chocolate d2691e coral ff7f50"
        + " cornflowerblue 6495ed cornsilk fff8dc crimson dc143c cyan 00ffff darkblue 00008b darkcyan 008b8b"
        + " darkgoldenrod b8860b darkgray a9a9a9 darkgreen 006400 darkgrey a9a9a9 darkkhaki bdb76b"
        + " darkmagenta 8b008b darkolivegreen 556b2f darkorange ff8c00 darkorchid 9932cc darkred 8b0000"
        + " darksalmon e9967a darkseagreen 8fbc8f darkslateblue 483d8b darkslategray 2f4f4f"
        + " darkslategrey 2f4f4f darkturquoise 00ced1 darkviolet 9400d3 deeppink ff1493 deepskyblue 00bfff"
        + " dimgray 696969 dimgrey 696969 dodgerblue 1e90ff firebrick b22222 floralwhite fffaf0"
        + " forestgreen 228b22 fuchsia ff00ff gainsboro dcdcdc ghostwhite f8f8ff gold ffd700 goldenrod daa520"
        + " gray 808080 green 008000 greenyellow adff2f grey 808080 honeydew f0fff0 hotpink ff69b4"
        + " indianred cd5c5c indigo 4b0082 ivory fffff0 khaki f0e68c lavender e6e6fa lavenderblush fff0f5"
        + " lawngreen 7cfc00 lemonchiffon fffacd lightblue add8e6 lightcoral f08080 lightcyan e0ffff"
        + " lightgoldenrodyellow fafad2 lightgray d3d3d3 lightgreen 90ee90 lightgrey d3d3d3 lightpink ffb6c1"
        + " lightsalmon ffa07a lightseagreen 20b2aa lightskyblue 87cefa lightslategray 778899"
        + " lightslategrey 778899 lightsteelblue b0c4de lightyellow ffffe0 lime 00ff00 limegreen 32cd32"
        + " linen faf0e6 magenta ff00ff maroon 800000 mediumaquamarine 66cdaa mediumblue 0000cd"
        + " mediumorchid ba55d3 mediumpurple 9370db mediumseagreen 3cb371 mediumslateblue 7b68ee"
        + " mediumspringgreen 00fa9a mediumturquoise 48d1cc mediumvioletred c71585 midnightblue 191970"
        + " mintcream f5fffa mistyrose ffe4e1 moccasin ffe4b5 navajowhite ffdead navy 000080 oldlace fdf5e6"
        + " olive 808000 olivedrab 6b8e23 orange ffa500 orangered ff4500 orchid da70d6 palegoldenrod eee8aa"
        + " palegreen 98fb98 paleturquoise afeeee palevioletred db7093 papayawhip ffefd5 peachpuff ffdab9"
        + " peru cd853f pink ffc0cb plum dda0dd powderblue b0e0e6 purple 800080 rebeccapurple 663399"
        + " red ff0000 rosybrown bc8f8f royalblue 4169e1 saddlebrown 8b4513 salmon fa8072 sandybrown f4a460"
        + " seagreen 2e8b57 seashell fff5ee sienna a0522d silver c0c0c0 skyblue 87ceeb slateblue 6a5acd"
        + " slategray 708090 slategrey 708090 snow fffafa springgreen 00ff7f steelblue 4682b4 tan d2b48c"
        + " teal 008080 thistle d8bfd8 tomato ff6347 turquoise 40e0d0 violet ee82ee wheat f5deb3"
        + " white ffffff whitesmoke f5f5f5 yellow ffff00 yellowgreen 9acd32";
    String[] words = table.split(" ");
    Map<String, Paint> map = new HashMap<>(words.length);
    for (int i = 0; i < words.length; i += 2) {
      map.put(words[i], hexColour(words[i + 1]));
    }
    return Map.copyOf(map);
  }
}
