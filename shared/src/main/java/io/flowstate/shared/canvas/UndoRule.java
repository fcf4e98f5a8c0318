package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * How an earlier op is undone against the <em>current</em> state, so that undo never overwrites
 * another user's later edit. Given the op and the inverse recorded when it was committed:
 * <ul>
 *   <li>an update/move/resize restores only the fields that still hold the values the op set;
 *   fields someone changed since keep their newer values;</li>
 *   <li>a create deletes the shape if it still exists; a delete re-creates the shape as it was if
 *   its id is free;</li>
 *   <li>a batch reverts its ops in reverse order by these rules, as one batch.</li>
 * </ul>
 * When nothing is left to revert the result is null. Redo is the same rule applied to the undo op.
 */
public final class UndoRule {
  private static final Comparator<JsonNode> NUMERIC_AWARE = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return Double.compare(a.doubleValue(), b.doubleValue());
    }
    return a.equals(b) ? 0 : 1;
  };

  private UndoRule() {
  }

  /** The op that reverts {@code op} (recorded with {@code inverse}) against {@code state}, or null. */
  public static CanvasOp revert(Reducer reducer, CanvasState state, CanvasOp op, CanvasOp inverse) {
    if (op instanceof BatchOp batch) {
      return revertBatch(reducer, state, batch, (BatchOp) inverse);
    }
    if (op instanceof CreateShape create) {
      String id = create.shape().get("id").textValue();
      return state.contains(id) ? new DeleteShape(id) : null;
    }
    if (op instanceof DeleteShape delete) {
      return state.contains(delete.id()) ? null : inverse;
    }
    return revertFields(state, idOf(op), fieldsSetBy(op), ((UpdateShape) inverse).set());
  }

  private static CanvasOp revertFields(CanvasState state, String id, ObjectNode newValues, ObjectNode previous) {
    ObjectNode shape = state.shape(id);
    if (shape == null) {
      return null;
    }
    ObjectNode restore = Json.object();
    for (Iterator<Map.Entry<String, JsonNode>> it = previous.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (same(shape.get(field.getKey()), newValues.get(field.getKey()))) {
        restore.set(field.getKey(), field.getValue() == null ? NullNode.getInstance() : field.getValue());
      }
    }
    return restore.isEmpty() ? null : new UpdateShape(id, restore);
  }

  private static CanvasOp revertBatch(Reducer reducer, CanvasState state, BatchOp batch, BatchOp inverse) {
    List<CanvasOp> ops = batch.ops();
    List<CanvasOp> inverses = inverse.ops();
    List<CanvasOp> reverts = new ArrayList<>();
    List<CanvasOp> rollback = new ArrayList<>();
    try {
      for (int i = ops.size() - 1; i >= 0; i--) {
        CanvasOp revert = revert(reducer, state, ops.get(i), inverses.get(ops.size() - 1 - i));
        if (revert == null) {
          continue;
        }
        try {
          rollback.add(reducer.applyInPlace(state, revert));
          reverts.add(revert);
        } catch (FlowStateException e) {
          // Cannot be reverted any more (e.g. the shape was re-created): skip this part.
        }
      }
    } finally {
      for (int i = rollback.size() - 1; i >= 0; i--) {
        reducer.applyInPlace(state, rollback.get(i));
      }
    }
    if (reverts.isEmpty()) {
      return null;
    }
    return reverts.size() == 1 ? reverts.get(0) : new BatchOp(reverts);
  }

  /** The fields an update-like op set, with the values it set (JSON null for a removed field). */
  private static ObjectNode fieldsSetBy(CanvasOp op) {
    if (op instanceof UpdateShape update) {
      return update.set();
    }
    ObjectNode fields = op.toJson();
    fields.remove("kind");
    fields.remove("id");
    return fields;
  }

  private static String idOf(CanvasOp op) {
    if (op instanceof UpdateShape u) {
      return u.id();
    }
    if (op instanceof MoveShape m) {
      return m.id();
    }
    if (op instanceof ResizeShape r) {
      return r.id();
    }
    throw new IllegalArgumentException("not an update-like op: " + op.kind());
  }

  private static boolean same(JsonNode current, JsonNode setTo) {
    boolean currentAbsent = current == null || current.isNull();
    boolean setToAbsent = setTo == null || setTo.isNull();
    if (currentAbsent || setToAbsent) {
      return currentAbsent && setToAbsent;
    }
    return current.equals(NUMERIC_AWARE, setTo);
  }
}
