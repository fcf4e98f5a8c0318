package io.flowstate.shared.canvas;

/**
 * The size limits a {@link Reducer} enforces on shapes, ops and canvases. Each limit is a field
 * so that a service config can carry it; {@link #defaults()} holds the values PROTOCOL.md promises.
 * Lengths of strings count Unicode code points; every limit must be at least 1.
 */
public record CanvasLimits(int maxIdLength, int maxBatchOps, int maxTextChars, int maxPoints,
    int maxStyleStringLength, int maxZLength, int maxShapes) {
  public static final int DEFAULT_MAX_ID_LENGTH = 64;
  public static final int DEFAULT_MAX_BATCH_OPS = 500;
  public static final int DEFAULT_MAX_TEXT_CHARS = 10_000;
  public static final int DEFAULT_MAX_POINTS = 10_000;
  public static final int DEFAULT_MAX_STYLE_STRING_LENGTH = 128;
  public static final int DEFAULT_MAX_Z_LENGTH = 256;
  public static final int DEFAULT_MAX_SHAPES = 100_000;

  public CanvasLimits {
    positive("maxIdLength", maxIdLength);
    positive("maxBatchOps", maxBatchOps);
    positive("maxTextChars", maxTextChars);
    positive("maxPoints", maxPoints);
    positive("maxStyleStringLength", maxStyleStringLength);
    positive("maxZLength", maxZLength);
    positive("maxShapes", maxShapes);
  }

  public static CanvasLimits defaults() {
    return new CanvasLimits(DEFAULT_MAX_ID_LENGTH, DEFAULT_MAX_BATCH_OPS, DEFAULT_MAX_TEXT_CHARS,
        DEFAULT_MAX_POINTS, DEFAULT_MAX_STYLE_STRING_LENGTH, DEFAULT_MAX_Z_LENGTH, DEFAULT_MAX_SHAPES);
  }

  /**
   * No size limits: for replaying ops that the sequencer already accepted (possibly under larger
   * configured limits). Validation of structure still applies.
   */
  public static CanvasLimits replay() {
    int max = Integer.MAX_VALUE;
    return new CanvasLimits(max, max, max, max, max, max, max);
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }
  }
}
