package io.flowstate.gateway.export;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.canvas.CanvasState;
import java.util.ArrayList;
import java.util.List;

/**
 * A canvas state laid out for export: its shapes in paint order ({@link ZOrder}: no {@code z}
 * first, then {@code z}, then id, all in code-point order) and the drawing's bounds, which are the
 * shapes' rotated extents plus {@link #MARGIN} on every side ({@code -MARGIN..MARGIN} square for an
 * empty canvas). Immutable; build it off the event loop, it is O(size of the state).
 */
public final class Scene {
  /** Space around the shapes, in canvas units. */
  public static final double MARGIN = 16;

  private final List<ShapeLayout> shapes;
  private final Bounds bounds;

  private Scene(List<ShapeLayout> shapes, Bounds bounds) {
    this.shapes = shapes;
    this.bounds = bounds;
  }

  /** The scene of a canvas state. */
  public static Scene of(CanvasState state) {
    return of(state.toJson());
  }

  /** The scene of a state on the wire, {@code {"shapes":[...]}}, as validated by the reducer. */
  public static Scene of(JsonNode state) {
    List<JsonNode> nodes = new ArrayList<>();
    state.path("shapes").forEach(nodes::add);
    nodes.sort(ZOrder.INSTANCE);
    List<ShapeLayout> layouts = new ArrayList<>(nodes.size());
    Bounds.Builder extent = new Bounds.Builder();
    for (JsonNode node : nodes) {
      ShapeLayout layout = ShapeLayout.of(node);
      layouts.add(layout);
      Bounds b = layout.bounds();
      if (b != null) {
        extent.add(b);
      }
    }
    return new Scene(List.copyOf(layouts), extent.build(new Bounds(0, 0, 0, 0)).expand(MARGIN));
  }

  /** The drawing's extent in canvas units, margin included. */
  public Bounds bounds() {
    return bounds;
  }

  /** Shape ids in paint order, bottom first. */
  public List<String> ids() {
    return shapes.stream().map(ShapeLayout::id).toList();
  }

  List<ShapeLayout> shapes() {
    return shapes;
  }
}
