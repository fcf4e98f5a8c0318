package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.Json;
import java.util.List;

/**
 * Applies {@code ops} in order as one atomic op: later ops see earlier ones, and if any fails
 * the canvas is unchanged. Holds 1 to {@code maxBatchOps} ops, none of them a batch. Its inverse
 * is a batch of the inverses in reverse order.
 */
public record BatchOp(List<CanvasOp> ops) implements CanvasOp {
  public static final String KIND = "batch";

  public BatchOp {
    ops = List.copyOf(ops);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public ObjectNode toJson() {
    ArrayNode array = Json.array();
    for (CanvasOp op : ops) {
      array.add(op.toJson());
    }
    ObjectNode json = Json.object().put("kind", KIND);
    json.set("ops", array);
    return json;
  }
}
