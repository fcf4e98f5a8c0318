package io.flowstate.shared.canvas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Every write the reducer makes to one state during one op, with what each id held before, so
 * that a failing batch can put the state (and its cached hash) back exactly as it was.
 */
final class Journal {
  private final CanvasState state;
  private final String hashBefore;
  private final List<String> ids = new ArrayList<>();
  private final List<ObjectNode> before = new ArrayList<>();

  Journal(CanvasState state) {
    this.state = state;
    this.hashBefore = state.cachedHash();
  }

  /** Stores {@code shape} under {@code id} (null removes it), remembering the previous node. */
  void write(String id, ObjectNode shape) {
    ids.add(id);
    before.add(state.node(id));
    state.write(id, shape);
  }

  void rollback() {
    for (int i = ids.size() - 1; i >= 0; i--) {
      state.write(ids.get(i), before.get(i));
    }
    state.restoreHash(hashBefore);
  }
}
