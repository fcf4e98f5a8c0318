package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.Json;
import java.util.Objects;

/**
 * Sets {@code w} and {@code h} (both at least 0) of shape {@code id}, and {@code x} / {@code y}
 * when they are not null (each is optional on its own). Its inverse is an {@link UpdateShape} of
 * the previous values of the fields it set.
 */
public record ResizeShape(String id, double w, double h, Double x, Double y) implements CanvasOp {
  public static final String KIND = "resize_shape";

  public ResizeShape {
    Objects.requireNonNull(id, "id");
  }

  public ResizeShape(String id, double w, double h) {
    this(id, w, h, null, null);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public ObjectNode toJson() {
    ObjectNode json = Json.object().put("kind", KIND).put("id", id);
    json.set("w", Numbers.node(w));
    json.set("h", Numbers.node(h));
    if (x != null) {
      json.set("x", Numbers.node(x));
    }
    if (y != null) {
      json.set("y", Numbers.node(y));
    }
    return json;
  }
}
