package io.flowstate.gateway.export;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One shape resolved for drawing: render defaults applied, colours parsed, points made absolute,
 * text broken into lines, the arrowhead computed. Both exporters draw from this alone, so the SVG
 * and the PNG of a state show the same geometry. The defaults are listed in docs/PROTOCOL.md
 * ("HTTP history and export"); text metrics are estimates ({@link #CHAR_WIDTH} per code point).
 */
record ShapeLayout(String id, String type, Box box, double[] points, double[] arrowHead, TextBlock text,
    Paint fill, Paint stroke, double strokeWidth, double opacity, double rotation, double cx, double cy) {

  static final double STROKE_WIDTH = 2;
  static final double FONT_SIZE = 16;
  static final double LINE_HEIGHT = 1.25;
  /** Estimated advance of one character, in font sizes (used for wrapping and bounds only). */
  static final double CHAR_WIDTH = 0.6;
  static final double STICKY_SIZE = 200;
  static final double STICKY_PADDING = 12;
  static final Paint STICKY_FILL = new Paint(0xff, 0xf5, 0x9d, 1);
  /** Arrowhead length along the last segment and its half-width, in stroke widths. */
  static final double HEAD_LENGTH = 4;
  static final double HEAD_HALF_WIDTH = 2;

  /** A box in canvas units before rotation. */
  record Box(double x, double y, double w, double h) {
  }

  /** Lines of text from a top-left corner; line {@code i} sits on {@link #baseline(int)}. */
  record TextBlock(List<String> lines, double x, double top, double fontSize, Paint paint) {
    double baseline(int line) {
      return top + fontSize + line * fontSize * LINE_HEIGHT;
    }

    double height() {
      return lines.size() * fontSize * LINE_HEIGHT;
    }

    double width() {
      int longest = 0;
      for (String line : lines) {
        longest = Math.max(longest, line.codePointCount(0, line.length()));
      }
      return longest * CHAR_WIDTH * fontSize;
    }
  }

  /** Whether the outline is drawn at all. */
  boolean strokes() {
    return !stroke.isNone() && strokeWidth > 0;
  }

  /** The layout of one state shape (already validated by the reducer). */
  static ShapeLayout of(JsonNode shape) {
    String type = shape.path("type").asText();
    double x = shape.path("x").asDouble();
    double y = shape.path("y").asDouble();
    JsonNode w = shape.get("w");
    JsonNode h = shape.get("h");
    JsonNode style = shape.path("style");
    String text = shape.hasNonNull("text") ? shape.get("text").asText() : null;
    double strokeWidth = number(style, "strokeWidth", STROKE_WIDTH);
    double fontSize = number(style, "fontSize", FONT_SIZE);
    double opacity = number(style, "opacity", 1);
    String strokeCss = style.hasNonNull("stroke") ? style.get("stroke").asText() : null;
    String fillCss = style.hasNonNull("fill") ? style.get("fill").asText() : null;
    double rotation = shape.path("rotation").asDouble(0);
    double cx = x + (w == null ? 0 : w.asDouble()) / 2;
    double cy = y + (h == null ? 0 : h.asDouble()) / 2;

    Box box = null;
    double[] points = null;
    double[] head = null;
    TextBlock block = null;
    Paint fill = Paint.NONE;
    Paint stroke = Paint.parse(strokeCss, Paint.BLACK);
    switch (type) {
      case "rect", "ellipse" -> {
        box = new Box(x, y, size(w, 0), size(h, 0));
        fill = Paint.parse(fillCss, Paint.NONE);
      }
      case "sticky" -> {
        box = new Box(x, y, size(w, STICKY_SIZE), size(h, STICKY_SIZE));
        fill = Paint.parse(fillCss, STICKY_FILL);
        if (text != null) {
          double inner = box.w() - 2 * STICKY_PADDING;
          block = new TextBlock(wrap(text, inner, fontSize), x + STICKY_PADDING, y + STICKY_PADDING, fontSize, stroke);
        }
        stroke = Paint.NONE;
      }
      case "text" -> {
        block = new TextBlock(text == null ? List.of() : lines(text), x, y, fontSize, stroke);
        box = new Box(x, y, size(w, block.width()), size(h, block.height()));
        fill = Paint.parse(fillCss, Paint.NONE);
        stroke = Paint.NONE;
      }
      case "line", "arrow", "path" -> {
        points = absolutePoints(shape.get("points"), x, y, type.equals("path") ? null : w, h);
        fill = type.equals("path") ? Paint.parse(fillCss, Paint.NONE) : Paint.NONE;
        head = type.equals("arrow") ? arrowHead(points, strokeWidth) : null;
      }
      default -> {
        // Unknown types cannot pass the reducer; draw nothing rather than fail the export.
      }
    }
    return new ShapeLayout(shape.path("id").asText(), type, box, points, head, block, fill, stroke,
        strokeWidth, opacity, rotation, cx, cy);
  }

  /** The shape's extent on the canvas, rotation and stroke included; null when it draws nothing. */
  Bounds bounds() {
    Bounds.Builder local = new Bounds.Builder();
    double pad = strokes() ? strokeWidth / 2 : 0;
    if (box != null) {
      local.add(box.x() - pad, box.y() - pad);
      local.add(box.x() + box.w() + pad, box.y() + box.h() + pad);
    }
    if (points != null) {
      for (int i = 0; i < points.length; i += 2) {
        local.add(points[i] - pad, points[i + 1] - pad);
        local.add(points[i] + pad, points[i + 1] + pad);
      }
    }
    if (arrowHead != null) {
      for (int i = 0; i < arrowHead.length; i += 2) {
        local.add(arrowHead[i], arrowHead[i + 1]);
      }
    }
    if (text != null && !text.lines().isEmpty()) {
      local.add(text.x(), text.top());
      local.add(text.x() + text.width(), text.top() + text.height());
    }
    if (local.isEmpty()) {
      return null;
    }
    Bounds b = local.build(null);
    if (rotation == 0) {
      return b;
    }
    double rad = Math.toRadians(rotation);
    double cos = Math.cos(rad);
    double sin = Math.sin(rad);
    Bounds.Builder rotated = new Bounds.Builder();
    for (double[] c : new double[][] {{b.minX(), b.minY()}, {b.maxX(), b.minY()}, {b.maxX(), b.maxY()}, {b.minX(), b.maxY()}}) {
      double dx = c[0] - cx;
      double dy = c[1] - cy;
      rotated.add(cx + dx * cos - dy * sin, cy + dx * sin + dy * cos);
    }
    return rotated.build(null);
  }

  /** Hard line breaks only ({@code \n}, {@code \r\n}, {@code \r}). */
  static List<String> lines(String text) {
    return List.of(text.split("\r\n|\r|\n", -1));
  }

  /** Hard breaks, then greedy word wrap at the estimated width; over-long words are cut. */
  static List<String> wrap(String text, double width, double fontSize) {
    int max = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.floor(width / (CHAR_WIDTH * fontSize))));
    List<String> out = new ArrayList<>();
    for (String line : lines(text)) {
      StringBuilder current = new StringBuilder();
      int currentLength = 0;
      for (String word : line.split(" ", -1)) {
        int length = word.codePointCount(0, word.length());
        if (currentLength > 0 && currentLength + 1 + length <= max) {
          current.append(' ').append(word);
          currentLength += 1 + length;
          continue;
        }
        if (currentLength > 0) {
          out.add(current.toString());
          current.setLength(0);
        }
        int start = 0;
        while (length > max) {
          int end = word.offsetByCodePoints(start, max);
          out.add(word.substring(start, end));
          start = end;
          length -= max;
        }
        current.append(word, start, word.length());
        currentLength = length;
      }
      out.add(current.toString());
    }
    return out;
  }

  private static double number(JsonNode style, String field, double fallback) {
    JsonNode v = style.get(field);
    return v != null && v.isNumber() ? v.asDouble() : fallback;
  }

  private static double size(JsonNode value, double fallback) {
    return value == null ? fallback : value.asDouble();
  }

  /**
   * Points made absolute ({@code points} are relative to x, y). A line or arrow without points but
   * with a size runs from the origin to (x + w, y + h); a path without points draws nothing.
   */
  private static double[] absolutePoints(JsonNode points, double x, double y, JsonNode w, JsonNode h) {
    if (points != null && points.isArray() && points.size() > 0) {
      double[] out = new double[points.size() * 2];
      for (int i = 0; i < points.size(); i++) {
        out[2 * i] = x + points.get(i).path(0).asDouble();
        out[2 * i + 1] = y + points.get(i).path(1).asDouble();
      }
      return out;
    }
    if (w != null || h != null) {
      return new double[] {x, y, x + size(w, 0), y + size(h, 0)};
    }
    return null;
  }

  /** Tip at the last point, pointing along the last segment of non-zero length; null if there is none. */
  private static double[] arrowHead(double[] points, double strokeWidth) {
    if (points == null || strokeWidth <= 0) {
      return null;
    }
    int last = points.length - 2;
    double tx = points[last];
    double ty = points[last + 1];
    for (int i = last - 2; i >= 0; i -= 2) {
      double dx = tx - points[i];
      double dy = ty - points[i + 1];
      double length = Math.hypot(dx, dy);
      if (length > 0 && Double.isFinite(length)) {
        double ux = dx / length;
        double uy = dy / length;
        double bx = tx - ux * HEAD_LENGTH * strokeWidth;
        double by = ty - uy * HEAD_LENGTH * strokeWidth;
        double nx = -uy * HEAD_HALF_WIDTH * strokeWidth;
        double ny = ux * HEAD_HALF_WIDTH * strokeWidth;
        return new double[] {tx, ty, bx + nx, by + ny, bx - nx, by - ny};
      }
    }
    return null;
  }
}
