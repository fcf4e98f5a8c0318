package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.Json;
import java.util.Objects;

/**
 * Sets {@code x} and {@code y} of shape {@code id}; {@code not_found} if it is missing. Its
 * inverse is an {@link UpdateShape} of the previous {@code x} and {@code y}.
 */
public record MoveShape(String id, double x, double y) implements CanvasOp {
  public static final String KIND = "move_shape";

  public MoveShape {
    Objects.requireNonNull(id, "id");
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public ObjectNode toJson() {
    ObjectNode json = Json.object().put("kind", KIND).put("id", id);
    json.set("x", Numbers.node(x));
    json.set("y", Numbers.node(y));
    return json;
  }
}
