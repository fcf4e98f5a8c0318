package io.flowstate.gateway.export;

/**
 * An axis-aligned box in canvas units ({@code minX ≤ maxX}, {@code minY ≤ maxY}). The exporters
 * use one as the drawing's extent: the SVG {@code viewBox} and, times the scale, the PNG size.
 */
public record Bounds(double minX, double minY, double maxX, double maxY) {

  public double width() {
    return maxX - minX;
  }

  public double height() {
    return maxY - minY;
  }

  /** This box grown by {@code margin} on every side. */
  Bounds expand(double margin) {
    return new Bounds(minX - margin, minY - margin, maxX + margin, maxY + margin);
  }

  /** Collects points into the smallest box holding them; non-finite points are ignored. */
  static final class Builder {
    private double minX = Double.POSITIVE_INFINITY;
    private double minY = Double.POSITIVE_INFINITY;
    private double maxX = Double.NEGATIVE_INFINITY;
    private double maxY = Double.NEGATIVE_INFINITY;

    void add(double x, double y) {
      if (!Double.isFinite(x) || !Double.isFinite(y)) {
        return;
      }
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }

    void add(Bounds b) {
      add(b.minX, b.minY);
      add(b.maxX, b.maxY);
    }

    boolean isEmpty() {
      return minX > maxX;
    }

    /** The box, or {@code whenEmpty} when nothing was added. */
    Bounds build(Bounds whenEmpty) {
      return isEmpty() ? whenEmpty : new Bounds(minX, minY, maxX, maxY);
    }
  }
}
