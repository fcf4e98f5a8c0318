package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.Json;
import java.util.Objects;

/**
 * Adds {@code shape} to the canvas; {@code conflict} if its id exists, {@code too_large} if the
 * canvas is full. Its inverse is a {@link DeleteShape} of the same id.
 */
public record CreateShape(ObjectNode shape) implements CanvasOp {
  public static final String KIND = "create_shape";

  public CreateShape {
    Objects.requireNonNull(shape, "shape");
  }

  /** A copy of the shape. */
  @Override
  public ObjectNode shape() {
    return shape.deepCopy();
  }

  ObjectNode shapeNode() {
    return shape;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public ObjectNode toJson() {
    ObjectNode json = Json.object().put("kind", KIND);
    json.set("shape", shape.deepCopy());
    return json;
  }
}
