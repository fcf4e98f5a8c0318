package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.Json;
import java.util.Objects;

/**
 * Removes shape {@code id}; {@code not_found} if it is missing. Its inverse is a
 * {@link CreateShape} of the whole shape as it was.
 */
public record DeleteShape(String id) implements CanvasOp {
  public static final String KIND = "delete_shape";

  public DeleteShape {
    Objects.requireNonNull(id, "id");
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public ObjectNode toJson() {
    return Json.object().put("kind", KIND).put("id", id);
  }
}
