package io.flowstate.gateway.export;

import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Rasterizes a {@link Scene} to PNG with Java2D (headless, no extra library): the image covers the
 * scene bounds times {@code scale}, transparent where nothing is drawn. Refuses a scale outside
 * (0, {@link #MAX_SCALE}] ({@code bad_request}) and an image over the pixel limit ({@code too_large})
 * before allocating anything. Thread-safe; CPU- and memory-heavy (4 bytes a pixel): run it on a worker.
 * Loading this class sets {@code java.awt.headless=true} unless the property was set already.
 */
public final class PngExporter {
  public static final double MAX_SCALE = 4;
  /** Largest font size handed to Java2D, in pixels; larger text is drawn at this size. */
  private static final float MAX_FONT_PX = 100_000f;

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private final long maxPixels;

  /** An exporter refusing images of more than {@code maxPixels} pixels. */
  public PngExporter(long maxPixels) {
    this.maxPixels = maxPixels;
  }

  /** The image size in pixels of {@code scene} at {@code scale}. */
  public record PixelSize(int width, int height) {
  }

  /** The pixel size the PNG would have; throws {@link FlowStateException} when it is refused. */
  public PixelSize size(Scene scene, double scale) {
    if (!Double.isFinite(scale) || scale <= 0 || scale > MAX_SCALE) {
      throw new FlowStateException(ErrorCode.BAD_REQUEST, "scale must be a number > 0 and <= " + (int) MAX_SCALE);
    }
    double width = Math.max(1, Math.ceil(scene.bounds().width() * scale));
    double height = Math.max(1, Math.ceil(scene.bounds().height() * scale));
    if (!(width * height <= maxPixels) || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
      throw new FlowStateException(ErrorCode.TOO_LARGE, String.format(Locale.ROOT,
          "the PNG would be %.0fx%.0f pixels, over the limit of %d pixels; use a smaller scale or the SVG export",
          width, height, maxPixels));
    }
    return new PixelSize((int) width, (int) height);
  }

  /** The PNG bytes of {@code scene} at {@code scale}. */
  public byte[] render(Scene scene, double scale) {
    PixelSize size = size(scene, scale);
    BufferedImage image = new BufferedImage(size.width(), size.height(), BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.scale(scale, scale);
      g.translate(-scene.bounds().minX(), -scene.bounds().minY());
      AffineTransform canvas = g.getTransform();
      for (ShapeLayout shape : scene.shapes()) {
        g.setTransform(canvas);
        draw(g, shape, scale);
      }
    } finally {
      g.dispose();
    }
    return encode(image);
  }

  private static void draw(Graphics2D g, ShapeLayout s, double scale) {
    if (s.rotation() != 0) {
      g.rotate(Math.toRadians(s.rotation()), s.cx(), s.cy());
    }
    g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, (float) Math.max(0, Math.min(1, s.opacity()))));
    switch (s.type()) {
      case "rect", "sticky", "text" -> {
        if (s.box() != null) {
          outlined(g, s, new Rectangle2D.Double(s.box().x(), s.box().y(), s.box().w(), s.box().h()), false);
        }
      }
      case "ellipse" -> outlined(g, s, new Ellipse2D.Double(s.box().x(), s.box().y(), s.box().w(), s.box().h()), false);
      case "line", "arrow", "path" -> {
        if (s.points() != null) {
          outlined(g, s, polyline(s.points()), true);
        }
        if (s.arrowHead() != null && s.strokes()) {
          double[] h = s.arrowHead();
          Path2D.Double head = new Path2D.Double();
          head.moveTo(h[0], h[1]);
          head.lineTo(h[2], h[3]);
          head.lineTo(h[4], h[5]);
          head.closePath();
          g.setColor(color(s.stroke()));
          g.fill(head);
        }
      }
      default -> {
        // nothing to draw for an unknown type
      }
    }
    if (s.text() != null) {
      text(g, s.text(), scale);
    }
  }

  private static void outlined(Graphics2D g, ShapeLayout s, java.awt.Shape geometry, boolean open) {
    if (!s.fill().isNone()) {
      g.setColor(color(s.fill()));
      g.fill(geometry);
    }
    if (s.strokes()) {
      int cap = open && !s.type().equals("arrow") ? BasicStroke.CAP_ROUND : BasicStroke.CAP_BUTT;
      int join = open ? BasicStroke.JOIN_ROUND : BasicStroke.JOIN_MITER;
      g.setStroke(new BasicStroke((float) s.strokeWidth(), cap, join, 4f));
      g.setColor(color(s.stroke()));
      g.draw(geometry);
    }
  }

  private static Path2D polyline(double[] p) {
    Path2D.Double path = new Path2D.Double(Path2D.WIND_NON_ZERO, p.length / 2 + 1);
    path.moveTo(p[0], p[1]);
    for (int i = p.length == 2 ? 0 : 2; i < p.length; i += 2) {
      path.lineTo(p[i], p[i + 1]);
    }
    return path;
  }

  private static void text(Graphics2D g, ShapeLayout.TextBlock block, double scale) {
    if (block.paint().isNone()) {
      return;
    }
    float size = (float) Math.min(block.fontSize(), MAX_FONT_PX / scale);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 1).deriveFont(size));
    g.setColor(color(block.paint()));
    for (int i = 0; i < block.lines().size(); i++) {
      String line = block.lines().get(i);
      if (!line.isEmpty()) {
        g.drawString(line, (float) block.x(), (float) block.baseline(i));
      }
    }
  }

  private static Color color(Paint p) {
    return new Color(p.red(), p.green(), p.blue(), (int) Math.round(Math.max(0, Math.min(1, p.alpha())) * 255));
  }

  private static byte[] encode(BufferedImage image) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(image);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode PNG", e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
