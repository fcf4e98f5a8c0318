package io.flowstate.shared.canvas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstate.shared.protocol.Json;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Undo against the current state")
class UndoRuleTest {
  private final Reducer reducer = new Reducer(CanvasLimits.defaults());
  private final CanvasState state = CanvasState.empty();

  private CanvasOp op(String json) {
    return reducer.parse(Json.parse(json));
  }

  /** Applies an op and returns {op, inverse}. */
  private CanvasOp[] apply(String json) {
    CanvasOp op = op(json);
    return new CanvasOp[] {op, reducer.applyInPlace(state, op)};
  }

  private CanvasOp revert(CanvasOp[] applied) {
    return UndoRule.revert(reducer, state, applied[0], applied[1]);
  }

  private JsonNode field(String id, String name) {
    return state.shape(id).get(name);
  }

  @Test
  @DisplayName("undoing a move restores the position but keeps another user's later fill")
  void keepsOthersLaterFields() {
    apply("{\"kind\":\"create_shape\",\"shape\":{\"id\":\"s\",\"type\":\"rect\",\"x\":0,\"y\":0}}");
    CanvasOp[] aliceMove = apply("{\"kind\":\"move_shape\",\"id\":\"s\",\"x\":10,\"y\":20}");
    apply("{\"kind\":\"update_shape\",\"id\":\"s\",\"set\":{\"style\":{\"fill\":\"#f00\"}}}");
    reducer.applyInPlace(state, revert(aliceMove));
    assertThat(field("s", "x").asDouble()).isZero();
    assertThat(field("s", "y").asDouble()).isZero();
    assertThat(field("s", "style").path("fill").asText()).isEqualTo("#f00");
  }

  @Test
  @DisplayName("undo leaves a field alone that someone else changed after the undone op")
  void doesNotClobberLaterWrites() {
    apply("{\"kind\":\"create_shape\",\"shape\":{\"id\":\"s\",\"type\":\"rect\",\"x\":0,\"y\":0}}");
    CanvasOp[] aliceMove = apply("{\"kind\":\"move_shape\",\"id\":\"s\",\"x\":10,\"y\":20}");
    apply("{\"kind\":\"move_shape\",\"id\":\"s\",\"x\":30,\"y\":20}");
    CanvasOp revert = revert(aliceMove);
    assertThat(revert.toJson().path("set").has("x")).isFalse();
    assertThat(revert.toJson().path("set").path("y").asDouble()).isZero();
  }

  @Test
  @DisplayName("undo of a removal re-adds the field; nothing to revert gives null")
  void removalsAndNoEffect() {
    apply("{\"kind\":\"create_shape\",\"shape\":{\"id\":\"s\",\"type\":\"text\",\"x\":0,\"y\":0,\"text\":\"hi\"}}");
    CanvasOp[] removal = apply("{\"kind\":\"update_shape\",\"id\":\"s\",\"set\":{\"text\":null}}");
    reducer.applyInPlace(state, revert(removal));
    assertThat(field("s", "text").asText()).isEqualTo("hi");
    assertThat(revert(removal)).isNull();
  }

  @Test
  @DisplayName("create and delete revert each other unless someone else got there first")
  void createAndDelete() {
    CanvasOp[] create = apply("{\"kind\":\"create_shape\",\"shape\":{\"id\":\"s\",\"type\":\"rect\",\"x\":1,\"y\":2}}");
    CanvasOp[] delete = apply("{\"kind\":\"delete_shape\",\"id\":\"s\"}");
    assertThat(revert(create)).isNull();
    reducer.applyInPlace(state, revert(delete));
    assertThat(field("s", "x").asDouble()).isEqualTo(1);
    reducer.applyInPlace(state, revert(create));
    assertThat(state.contains("s")).isFalse();
  }

  @Test
  @DisplayName("a batch is reverted as one batch in reverse order and the input state is left as it was")
  void batch() {
    CanvasOp[] batch = apply("{\"kind\":\"batch\",\"ops\":[{\"kind\":\"create_shape\",\"shape\":"
        + "{\"id\":\"a\",\"type\":\"rect\",\"x\":0,\"y\":0}},{\"kind\":\"move_shape\",\"id\":\"a\",\"x\":5,\"y\":5},"
        + "{\"kind\":\"create_shape\",\"shape\":{\"id\":\"b\",\"type\":\"rect\",\"x\":0,\"y\":0}}]}");
    String before = state.hash();
    CanvasOp revert = revert(batch);
    assertThat(state.hash()).isEqualTo(before);
    assertThat(revert).isInstanceOf(BatchOp.class);
    reducer.applyInPlace(state, revert);
    assertThat(state.size()).isZero();
    assertThat(state.hash()).isEqualTo(CanvasState.empty().hash());
  }
}
