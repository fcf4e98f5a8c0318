package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.protocol.FlowStateException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Turns op JSON into a normalized {@link CanvasOp}, checking structure only (not the canvas).
 * Every failure is a {@link FlowStateException}; errors inside a batch are prefixed {@code ops[i]: }.
 */
final class OpParser {
  private static final String KINDS = String.join(", ", CreateShape.KIND, UpdateShape.KIND,
      MoveShape.KIND, ResizeShape.KIND, DeleteShape.KIND, BatchOp.KIND);

  private final CanvasLimits limits;
  private final ShapeSchema schema;

  OpParser(CanvasLimits limits, ShapeSchema schema) {
    this.limits = limits;
    this.schema = schema;
  }

  CanvasOp parse(JsonNode node) {
    if (node != null && node.isObject() && BatchOp.KIND.equals(node.path("kind").textValue())) {
      return batch(node);
    }
    return single(node);
  }

  private BatchOp batch(JsonNode node) {
    fields(node, BatchOp.KIND, "ops");
    JsonNode ops = node.get("ops");
    if (ops == null || !ops.isArray()) {
      throw Faults.invalid("ops must be an array of ops");
    }
    if (ops.isEmpty()) {
      throw Faults.invalid("ops must hold at least one op");
    }
    if (ops.size() > limits.maxBatchOps()) {
      throw Faults.tooLarge("a batch may hold at most " + limits.maxBatchOps() + " ops");
    }
    List<CanvasOp> parsed = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      try {
        parsed.add(single(ops.get(i)));
      } catch (FlowStateException e) {
        throw Faults.prefixed("ops[" + i + "]: ", e);
      }
    }
    return new BatchOp(parsed);
  }

  private CanvasOp single(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw Faults.invalid("an op must be a JSON object");
    }
    JsonNode kind = node.get("kind");
    if (kind == null) {
      throw Faults.invalid("kind is required");
    }
    if (!kind.isTextual()) {
      throw Faults.invalid("kind must be a string");
    }
    return switch (kind.textValue()) {
      case CreateShape.KIND -> {
        fields(node, CreateShape.KIND, "shape");
        yield new CreateShape(schema.shape(node.get("shape"), "shape"));
      }
      case UpdateShape.KIND -> {
        fields(node, UpdateShape.KIND, "id", "set");
        yield new UpdateShape(id(node), schema.set(required(node, "set"), "set"));
      }
      case MoveShape.KIND -> {
        fields(node, MoveShape.KIND, "id", "x", "y");
        yield new MoveShape(id(node), number(node, "x", NumberRule.FINITE),
            number(node, "y", NumberRule.FINITE));
      }
      case ResizeShape.KIND -> {
        fields(node, ResizeShape.KIND, "id", "w", "h", "x", "y");
        yield new ResizeShape(id(node), number(node, "w", NumberRule.NON_NEGATIVE),
            number(node, "h", NumberRule.NON_NEGATIVE), optional(node, "x"), optional(node, "y"));
      }
      case DeleteShape.KIND -> {
        fields(node, DeleteShape.KIND, "id");
        yield new DeleteShape(id(node));
      }
      case BatchOp.KIND -> throw Faults.invalid("a batch cannot contain a batch");
      default -> throw Faults.invalid("kind must be one of " + KINDS);
    };
  }

  private String id(JsonNode node) {
    return schema.id(required(node, "id"), "id");
  }

  private static double number(JsonNode node, String field, NumberRule rule) {
    return rule.check(required(node, field), field);
  }

  private static Double optional(JsonNode node, String field) {
    return node.has(field) ? NumberRule.FINITE.check(node.get(field), field) : null;
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw Faults.invalid(field + " is required");
    }
    return value;
  }

  private static void fields(JsonNode node, String kind, String... allowed) {
    Set<String> known = Set.of(allowed);
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("kind") && !known.contains(name)) {
        throw Faults.invalid(kind + " has unknown field '" + name + "'");
      }
    }
  }
}
