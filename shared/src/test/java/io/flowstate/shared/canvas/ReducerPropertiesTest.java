package io.flowstate.shared.canvas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of the reducer over random op sequences. Each run uses fixed seeds plus one new
 * seed; the seed is in the test name and in every assertion message, so a failure can be replayed
 * by adding its seed to {@link #seeds()}.
 */
@DisplayName("Over random op sequences, the reducer")
class ReducerPropertiesTest {
  private static final int STEPS = 300;

  private final Reducer reducer = new Reducer(CanvasLimits.defaults());

  static LongStream seeds() {
    long fresh = System.nanoTime();
    System.out.println("ReducerPropertiesTest fresh seed: " + fresh);
    return LongStream.of(1, 2, 3, 42, 20_240_601, 987_654_321, fresh);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  @DisplayName("reduces the same ops to the same state and hash, in place, pure or from JSON text")
  void deterministic(long seed) throws Exception {
    RandomOps random = new RandomOps(seed, reducer);
    CanvasState inPlace = CanvasState.empty();
    List<String> texts = new ArrayList<>();
    Set<String> kinds = new HashSet<>();
    for (int i = 0; i < STEPS; i++) {
      ObjectNode op = random.valid(inPlace);
      texts.add(Json.write(op));
      kinds.add(reducer.applyInPlace(inPlace, reducer.parse(op)).kind());
      kinds.add(op.get("kind").textValue());
    }

    Reducer other = new Reducer(CanvasLimits.defaults());
    CanvasState fromText = CanvasState.empty();
    CanvasState pure = CanvasState.empty();
    for (String text : texts) {
      other.applyInPlace(fromText, other.parse(Json.parse(text)));
      pure = other.apply(pure, other.parse(Json.parse(text))).state();
    }

    assertThat(kinds).as("seed %d", seed)
        .contains("create_shape", "update_shape", "move_shape", "resize_shape", "delete_shape", "batch");
    assertThat(fromText.toJson()).as("seed %d", seed).isEqualTo(inPlace.toJson());
    assertThat(pure.toJson()).as("seed %d", seed).isEqualTo(inPlace.toJson());
    assertThat(fromText.hash()).as("seed %d", seed).isEqualTo(inPlace.hash()).isEqualTo(pure.hash())
        .isEqualTo(CanvasStateTest.referenceHash(inPlace));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  @DisplayName("restores state and hash by applying each op's inverse, and redoes it with the inverse's inverse")
  void inversesUndoAndRedo(long seed) {
    RandomOps random = new RandomOps(seed, reducer);
    CanvasState state = CanvasState.empty();
    for (int i = 0; i < STEPS; i++) {
      ObjectNode before = state.toJson();
      String hashBefore = state.hash();
      ObjectNode op = random.valid(state);

      CanvasOp inverse = reducer.applyInPlace(state, reducer.parse(op));
      Reducer.Applied undone = reducer.apply(state, inverse);
      Reducer.Applied redone = reducer.apply(undone.state(), undone.inverse());

      String step = "seed " + seed + ", step " + i + ", op " + Json.write(op);
      assertThat(undone.state().toJson()).as(step).isEqualTo(before);
      assertThat(undone.state().hash()).as(step).isEqualTo(hashBefore);
      assertThat(redone.state().toJson()).as(step).isEqualTo(state.toJson());
      assertThat(redone.state().hash()).as(step).isEqualTo(state.hash());
      assertThat(reducer.parse(inverse.toJson())).as(step).isEqualTo(inverse);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  @DisplayName("refuses corrupted ops with the expected code and never changes state or hash for them")
  void invalidOpsChangeNothing(long seed) {
    RandomOps random = new RandomOps(seed, reducer);
    CanvasState state = CanvasState.empty();
    Set<ErrorCode> codes = EnumSet.noneOf(ErrorCode.class);
    for (int i = 0; i < STEPS; i++) {
      if (state.size() == 0 || !random.chance(0.5)) {
        reducer.applyInPlace(state, reducer.parse(random.valid(state)));
        continue;
      }
      ObjectNode before = state.toJson();
      String hashBefore = state.hash();
      RandomOps.Invalid bad = random.invalid(state);

      String step = "seed " + seed + ", step " + i + ", op " + Json.write(bad.op());
      assertThatThrownBy(() -> reducer.applyInPlace(state, reducer.parse(bad.op()))).as(step)
          .isInstanceOfSatisfying(FlowStateException.class, e -> assertThat(e.code()).as(step).isEqualTo(bad.code()));
      assertThat(state.toJson()).as(step).isEqualTo(before);
      assertThat(state.hash()).as(step).isEqualTo(hashBefore)
          .isEqualTo(CanvasState.fromJson(state.toJson()).hash());
      codes.add(bad.code());
    }
    assertThat(codes).as("seed %d", seed)
        .containsExactlyInAnyOrder(ErrorCode.INVALID_OP, ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.TOO_LARGE);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  @DisplayName("never mutates the state given to apply, and apply agrees with applyInPlace")
  void applyNeverMutatesItsInput(long seed) {
    RandomOps random = new RandomOps(seed, reducer);
    CanvasState state = CanvasState.empty();
    for (int i = 0; i < STEPS; i++) {
      ObjectNode before = state.toJson();
      String hashBefore = state.hash();
      CanvasOp op = reducer.parse(random.valid(state));

      Reducer.Applied applied = reducer.apply(state, op);

      String step = "seed " + seed + ", step " + i;
      assertThat(state.toJson()).as(step).isEqualTo(before);
      assertThat(state.hash()).as(step).isEqualTo(hashBefore);
      CanvasOp inverse = reducer.applyInPlace(state, op);
      assertThat(applied.inverse()).as(step).isEqualTo(inverse);
      assertThat(applied.state().hash()).as(step).isEqualTo(state.hash());
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  @DisplayName("reads back its own toJson, as a tree or as text, with the same shapes and hash")
  void fromJsonRoundTrips(long seed) {
    RandomOps random = new RandomOps(seed, reducer);
    CanvasState state = CanvasState.empty();
    for (int i = 0; i < STEPS; i++) {
      reducer.applyInPlace(state, reducer.parse(random.valid(state)));
      if (i % 10 == 0) {
        CanvasState tree = CanvasState.fromJson(state.toJson());
        CanvasState text = CanvasState.fromJson(Json.parse(Json.write(state.toJson())));

        String step = "seed " + seed + ", step " + i;
        assertThat(tree.hash()).as(step).isEqualTo(state.hash());
        assertThat(text.hash()).as(step).isEqualTo(state.hash());
        assertThat(text.toJson()).as(step).isEqualTo(state.toJson());
      }
    }
  }
}
