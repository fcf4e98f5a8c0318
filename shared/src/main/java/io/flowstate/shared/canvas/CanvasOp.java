package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One canvas operation in its normalized form (PROTOCOL.md, "Operations"). Ops are immutable
 * values: JSON held inside is never mutated and accessors hand out copies. Build them with
 * {@link Reducer#parse} from the wire or directly in code; {@link Reducer} validates both alike.
 */
public sealed interface CanvasOp
    permits CreateShape, UpdateShape, MoveShape, ResizeShape, DeleteShape, BatchOp {

  /** The wire name of this op, e.g. {@code move_shape}. */
  String kind();

  /** A fresh copy of the normalized wire form, e.g. {@code {"kind":"move_shape","id":"s1","x":10,"y":20}}. */
  ObjectNode toJson();
}
