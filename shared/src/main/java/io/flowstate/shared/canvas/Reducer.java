package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The canvas reducer: validates ops and applies them, returning each op's inverse. Pure functions
 * of their inputs (it holds only the limits), so replaying the same ops always yields the same
 * state and hash. An op costs O(its own size), never O(canvas); a failed op changes nothing.
 */
public final class Reducer {
  private final CanvasLimits limits;
  private final ShapeSchema schema;
  private final OpParser parser;

  public Reducer(CanvasLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.schema = new ShapeSchema(limits);
    this.parser = new OpParser(limits, schema);
  }

  public CanvasLimits limits() {
    return limits;
  }

  /** Validates the structure of op JSON and normalizes it; throws {@link FlowStateException}. */
  public CanvasOp parse(JsonNode op) {
    return parser.parse(op);
  }

  /**
   * Validates {@code op} (structure and limits again, so ops built in code are safe too) against
   * {@code state}, applies it and returns its inverse computed against the state before. On any
   * exception {@code state} is unchanged; a failing batch op's message starts with {@code ops[i]: }.
   */
  public CanvasOp applyInPlace(CanvasState state, CanvasOp op) {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(op, "op");
    Journal journal = new Journal(state);
    if (op instanceof BatchOp batch) {
      return batch(state, journal, batch);
    }
    return single(state, journal, op);
  }

  /** Like {@link #applyInPlace} on a copy: {@code state} is never changed. O(canvas) for the copy. */
  public Applied apply(CanvasState state, CanvasOp op) {
    CanvasState next = state.copy();
    CanvasOp inverse = applyInPlace(next, op);
    return new Applied(next, inverse);
  }

  /** The state after an op and the op that undoes it. */
  public record Applied(CanvasState state, CanvasOp inverse) {
  }

  private BatchOp batch(CanvasState state, Journal journal, BatchOp batch) {
    List<CanvasOp> ops = batch.ops();
    if (ops.isEmpty()) {
      throw Faults.invalid("ops must hold at least one op");
    }
    if (ops.size() > limits.maxBatchOps()) {
      throw Faults.tooLarge("a batch may hold at most " + limits.maxBatchOps() + " ops");
    }
    List<CanvasOp> inverses = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      try {
        inverses.add(single(state, journal, ops.get(i)));
      } catch (FlowStateException e) {
        journal.rollback();
        throw Faults.prefixed("ops[" + i + "]: ", e);
      } catch (RuntimeException e) {
        journal.rollback();
        throw e;
      }
    }
    Collections.reverse(inverses);
    return new BatchOp(inverses);
  }

  private CanvasOp single(CanvasState state, Journal journal, CanvasOp op) {
    if (op instanceof CreateShape create) {
      return create(state, journal, schema.shape(create.shapeNode(), "shape"));
    }
    if (op instanceof UpdateShape update) {
      return update(state, journal, schema.id(update.id(), "id"), schema.set(update.setNode(), "set"));
    }
    if (op instanceof MoveShape move) {
      ObjectNode set = Json.object();
      set.set("x", Numbers.node(NumberRule.FINITE.check(move.x(), "x")));
      set.set("y", Numbers.node(NumberRule.FINITE.check(move.y(), "y")));
      return update(state, journal, schema.id(move.id(), "id"), set);
    }
    if (op instanceof ResizeShape resize) {
      return update(state, journal, schema.id(resize.id(), "id"), resizeSet(resize));
    }
    if (op instanceof DeleteShape delete) {
      return delete(state, journal, schema.id(delete.id(), "id"));
    }
    throw Faults.invalid("a batch cannot contain a batch");
  }

  private DeleteShape create(CanvasState state, Journal journal, ObjectNode shape) {
    String id = shape.get("id").textValue();
    if (state.contains(id)) {
      throw Faults.conflict(id);
    }
    if (state.size() >= limits.maxShapes()) {
      throw Faults.tooLarge("a canvas may hold at most " + limits.maxShapes() + " shapes");
    }
    journal.write(id, shape);
    return new DeleteShape(id);
  }

  private UpdateShape update(CanvasState state, Journal journal, String id, ObjectNode set) {
    ObjectNode before = existing(state, id);
    JsonNode points = set.get("points");
    if (points != null && !points.isNull() && !ShapeSchema.allowsPoints(before.get("type").textValue())) {
      throw ShapeSchema.pointsNotAllowed("set.points");
    }
    ObjectNode previous = Json.object();
    for (Map.Entry<String, JsonNode> field : set.properties()) {
      JsonNode old = before.get(field.getKey());
      previous.set(field.getKey(), old == null ? NullNode.getInstance() : old);
    }
    journal.write(id, ShapeSchema.merge(before, set));
    return new UpdateShape(id, previous);
  }

  private CreateShape delete(CanvasState state, Journal journal, String id) {
    ObjectNode before = existing(state, id);
    journal.write(id, null);
    return new CreateShape(before);
  }

  private ObjectNode resizeSet(ResizeShape resize) {
    ObjectNode set = Json.object();
    if (resize.x() != null) {
      set.set("x", Numbers.node(NumberRule.FINITE.check(resize.x(), "x")));
    }
    if (resize.y() != null) {
      set.set("y", Numbers.node(NumberRule.FINITE.check(resize.y(), "y")));
    }
    set.set("w", Numbers.node(NumberRule.NON_NEGATIVE.check(resize.w(), "w")));
    set.set("h", Numbers.node(NumberRule.NON_NEGATIVE.check(resize.h(), "h")));
    return set;
  }

  private static ObjectNode existing(CanvasState state, String id) {
    ObjectNode shape = state.node(id);
    if (shape == null) {
      throw Faults.notFound(id);
    }
    return shape;
  }
}
