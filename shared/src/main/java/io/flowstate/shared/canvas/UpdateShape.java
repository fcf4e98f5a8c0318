package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.Json;
import java.util.Objects;

/**
 * Sets the fields in {@code set} on shape {@code id}; a {@code null} value removes an optional
 * field and {@code style} is replaced whole. Its inverse is an update holding the previous values
 * of exactly those fields ({@code null} where a field was absent).
 */
public record UpdateShape(String id, ObjectNode set) implements CanvasOp {
  public static final String KIND = "update_shape";

  public UpdateShape {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(set, "set");
  }

  /** A copy of the fields to set. */
  @Override
  public ObjectNode set() {
    return set.deepCopy();
  }

  ObjectNode setNode() {
    return set;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public ObjectNode toJson() {
    ObjectNode json = Json.object().put("kind", KIND).put("id", id);
    json.set("set", set.deepCopy());
    return json;
  }
}
