package io.flowstate.shared.canvas;

import static io.flowstate.shared.canvas.CanvasFixtures.canvas;
import static io.flowstate.shared.canvas.CanvasFixtures.fails;
import static io.flowstate.shared.canvas.CanvasFixtures.json;
import static io.flowstate.shared.canvas.CanvasFixtures.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The reducer")
class ReducerTest {
  private static final String RECT = "{'kind':'create_shape','shape':{'id':'r','type':'rect','x':1,'y':2,'w':10,'h':5,"
      + "'style':{'fill':'red'},'text':'hi'}}";
  private static final String LINE = "{'kind':'create_shape','shape':{'id':'l','type':'line','x':0,'y':0,'points':[[0,0],[5,5]]}}";

  private final Reducer reducer = new Reducer(CanvasLimits.defaults());

  private CanvasOp apply(CanvasState state, String op) {
    return reducer.applyInPlace(state, reducer.parse(json(op)));
  }

  /** Applies {@code op} and asserts that it fails with {@code code} and leaves state and hash alone. */
  private void refuses(CanvasState state, String op, ErrorCode code, String message) {
    ObjectNode before = state.toJson();
    String hash = state.hash();
    fails(() -> apply(state, op), code, message);
    assertThat(state.toJson()).isEqualTo(before);
    assertThat(state.hash()).isEqualTo(hash);
  }

  @Nested
  @DisplayName("for create_shape")
  class Create {
    @Test
    @DisplayName("adds the shape as given and returns delete_shape as its inverse")
    void adds() {
      CanvasState state = CanvasState.empty();

      CanvasOp inverse = apply(state, RECT);

      assertThat(state.size()).isEqualTo(1);
      assertThat(state.shape("r")).isEqualTo(json("{'id':'r','type':'rect','x':1,'y':2,'w':10,'h':5,"
          + "'style':{'fill':'red'},'text':'hi'}"));
      assertThat(inverse).isEqualTo(new DeleteShape("r"));
    }

    @Test
    @DisplayName("refuses an id that exists with conflict")
    void conflict() {
      refuses(canvas(RECT), RECT.replace("'x':1", "'x':7"), ErrorCode.CONFLICT, "shape 'r' already exists");
    }

    @Test
    @DisplayName("refuses a shape beyond maxShapes with too_large")
    void full() {
      Reducer small = new Reducer(new CanvasLimits(64, 500, 100, 100, 128, 256, 2));
      CanvasState state = CanvasState.empty();
      small.applyInPlace(state, small.parse(json(RECT)));
      small.applyInPlace(state, small.parse(json(LINE)));
      String hash = state.hash();

      fails(() -> small.applyInPlace(state, small.parse(json(RECT.replace("'r'", "'r2'")))),
          ErrorCode.TOO_LARGE, "a canvas may hold at most 2 shapes");
      assertThat(state.size()).isEqualTo(2);
      assertThat(state.hash()).isEqualTo(hash);
    }
  }

  @Nested
  @DisplayName("for update_shape")
  class Update {
    @Test
    @DisplayName("sets the given fields, last write winning, and leaves the others alone")
    void sets() {
      CanvasState state = canvas(RECT);

      apply(state, "{'kind':'update_shape','id':'r','set':{'x':5,'rotation':0.5}}");
      apply(state, "{'kind':'update_shape','id':'r','set':{'x':6}}");

      assertThat(state.shape("r")).isEqualTo(json("{'id':'r','type':'rect','x':6,'y':2,'w':10,'h':5,"
          + "'rotation':0.5,'style':{'fill':'red'},'text':'hi'}"));
    }

    @Test
    @DisplayName("removes an optional field set to null, and a field already absent stays absent")
    void nullRemoves() {
      CanvasState state = canvas(RECT);

      apply(state, "{'kind':'update_shape','id':'r','set':{'text':null,'z':null}}");

      assertThat(state.shape("r").has("text")).isFalse();
      assertThat(state.shape("r").has("z")).isFalse();
    }

    @Test
    @DisplayName("replaces the whole style object, or removes it when set to null")
    void styleReplaced() {
      CanvasState state = canvas(RECT);

      apply(state, "{'kind':'update_shape','id':'r','set':{'style':{'stroke':'blue'}}}");
      assertThat(state.shape("r").get("style")).isEqualTo(json("{'stroke':'blue'}"));

      apply(state, "{'kind':'update_shape','id':'r','set':{'style':null}}");
      assertThat(state.shape("r").has("style")).isFalse();
    }

    @Test
    @DisplayName("accepts an empty set as a no-op whose inverse is an empty update")
    void emptySet() {
      CanvasState state = canvas(RECT);
      String hash = state.hash();

      CanvasOp inverse = apply(state, "{'kind':'update_shape','id':'r','set':{}}");

      assertThat(state.hash()).isEqualTo(hash);
      assertThat(inverse).isEqualTo(new UpdateShape("r", object("{}")));
    }

    @Test
    @DisplayName("refuses points on a shape whose type has none, but lets null remove nothing there")
    void pointsNeedAPointType() {
      CanvasState state = canvas(RECT, LINE);

      refuses(state, "{'kind':'update_shape','id':'r','set':{'points':[[1,1]]}}", ErrorCode.INVALID_OP,
          "set.points is allowed only for line, arrow and path shapes");
      apply(state, "{'kind':'update_shape','id':'r','set':{'points':null}}");
      apply(state, "{'kind':'update_shape','id':'l','set':{'points':[[9,9]]}}");

      assertThat(state.shape("l").get("points")).isEqualTo(json("[[9,9]]"));
    }

    @Test
    @DisplayName("refuses a missing shape with not_found")
    void missing() {
      refuses(canvas(RECT), "{'kind':'update_shape','id':'nope','set':{'x':1}}", ErrorCode.NOT_FOUND,
          "shape 'nope' does not exist");
    }

    @Test
    @DisplayName("returns the previous values of exactly the fields it set, null where one was absent")
    void inverse() {
      CanvasState state = canvas(RECT);

      CanvasOp inverse = apply(state, "{'kind':'update_shape','id':'r','set':{'x':9,'rotation':1,'text':null,'style':{}}}");

      assertThat(inverse.toJson()).isEqualTo(json("{'kind':'update_shape','id':'r',"
          + "'set':{'x':1,'rotation':null,'style':{'fill':'red'},'text':'hi'}}"));
    }
  }

  @Nested
  @DisplayName("for move_shape and resize_shape")
  class MoveResize {
    @Test
    @DisplayName("moves a shape and returns an update of the previous x and y")
    void moves() {
      CanvasState state = canvas(RECT);

      CanvasOp inverse = apply(state, "{'kind':'move_shape','id':'r','x':-3.5,'y':4}");

      assertThat(state.shape("r").get("x").doubleValue()).isEqualTo(-3.5);
      assertThat(state.shape("r").get("y").intValue()).isEqualTo(4);
      assertThat(inverse).isEqualTo(new UpdateShape("r", object("{'x':1,'y':2}")));
    }

    @Test
    @DisplayName("resizes a shape and returns an update of the previous w and h, null where absent")
    void resizes() {
      CanvasState state = canvas(LINE);

      CanvasOp inverse = apply(state, "{'kind':'resize_shape','id':'l','w':3,'h':0}");

      assertThat(state.shape("l")).isEqualTo(json("{'id':'l','type':'line','x':0,'y':0,'w':3,'h':0,'points':[[0,0],[5,5]]}"));
      assertThat(inverse).isEqualTo(new UpdateShape("l", object("{'w':null,'h':null}")));
    }

    @Test
    @DisplayName("also moves on resize when x or y is given, and includes them in the inverse")
    void resizeMoves() {
      CanvasState state = canvas(RECT);

      CanvasOp inverse = apply(state, "{'kind':'resize_shape','id':'r','w':1,'h':1,'y':8}");

      assertThat(state.shape("r").get("x").intValue()).isEqualTo(1);
      assertThat(state.shape("r").get("y").intValue()).isEqualTo(8);
      assertThat(inverse).isEqualTo(new UpdateShape("r", object("{'y':2,'w':10,'h':5}")));
    }

    @Test
    @DisplayName("refuses a missing shape with not_found")
    void missing() {
      CanvasState state = canvas(RECT);

      refuses(state, "{'kind':'move_shape','id':'x','x':1,'y':1}", ErrorCode.NOT_FOUND, "shape 'x' does not exist");
      refuses(state, "{'kind':'resize_shape','id':'x','w':1,'h':1}", ErrorCode.NOT_FOUND, "shape 'x' does not exist");
    }
  }

  @Nested
  @DisplayName("for delete_shape")
  class Delete {
    @Test
    @DisplayName("removes the shape and returns create_shape of the whole shape as it was")
    void deletes() {
      CanvasState state = canvas(RECT, LINE);
      ObjectNode before = state.shape("l");

      CanvasOp inverse = apply(state, "{'kind':'delete_shape','id':'l'}");

      assertThat(state.shape("l")).isNull();
      assertThat(state.size()).isEqualTo(1);
      assertThat(inverse).isEqualTo(new CreateShape(before));
    }

    @Test
    @DisplayName("refuses a missing shape with not_found")
    void missing() {
      refuses(canvas(RECT), "{'kind':'delete_shape','id':'gone'}", ErrorCode.NOT_FOUND, "shape 'gone' does not exist");
    }
  }

  @Nested
  @DisplayName("for batch")
  class Batch {
    @Test
    @DisplayName("applies ops in order, so a shape can be created and moved in one batch")
    void inOrder() {
      CanvasState state = CanvasState.empty();

      apply(state, "{'kind':'batch','ops':[" + RECT + ",{'kind':'move_shape','id':'r','x':50,'y':60}]}");

      assertThat(state.shape("r").get("x").intValue()).isEqualTo(50);
      assertThat(state.shape("r").get("y").intValue()).isEqualTo(60);
    }

    @Test
    @DisplayName("leaves state and hash unchanged when its third op fails, reporting that op's code")
    void atomic() {
      CanvasState state = canvas(RECT);
      ObjectNode before = state.toJson();
      String hash = state.hash();

      fails(() -> apply(state, "{'kind':'batch','ops':[" + LINE + ",{'kind':'delete_shape','id':'r'},"
          + "{'kind':'move_shape','id':'r','x':1,'y':1},{'kind':'delete_shape','id':'l'}]}"),
          ErrorCode.NOT_FOUND, "ops[2]: shape 'r' does not exist");

      assertThat(state.toJson()).isEqualTo(before);
      assertThat(state.hash()).isEqualTo(hash);
      assertThat(state.shape("l")).isNull();
    }

    @Test
    @DisplayName("rolls back updates of a shape changed twice before a later op fails")
    void rollsBackRepeatedChanges() {
      CanvasState state = canvas(RECT);
      ObjectNode before = state.toJson();

      fails(() -> apply(state, "{'kind':'batch','ops':[{'kind':'move_shape','id':'r','x':7,'y':7},"
          + "{'kind':'update_shape','id':'r','set':{'text':null}},{'kind':'delete_shape','id':'r'}," + RECT + ","
          + RECT + "]}"), ErrorCode.CONFLICT, "ops[4]: shape 'r' already exists");

      assertThat(state.toJson()).isEqualTo(before);
    }

    @Test
    @DisplayName("returns a batch of the inverses in reverse order, which restores the state")
    void inverse() {
      CanvasState state = canvas(RECT);
      ObjectNode before = state.toJson();
      String hash = state.hash();

      CanvasOp inverse = apply(state, "{'kind':'batch','ops':[" + LINE + ",{'kind':'move_shape','id':'r','x':0,'y':0},"
          + "{'kind':'delete_shape','id':'r'}]}");

      assertThat(inverse).isInstanceOf(BatchOp.class);
      assertThat(((BatchOp) inverse).ops()).extracting(CanvasOp::kind)
          .containsExactly("create_shape", "update_shape", "delete_shape");
      reducer.applyInPlace(state, inverse);
      assertThat(state.toJson()).isEqualTo(before);
      assertThat(state.hash()).isEqualTo(hash);
    }
  }

  @Nested
  @DisplayName("for ops built in code")
  class BuiltInCode {
    @Test
    @DisplayName("validates them as parse would, so a bad record never reaches the state")
    void validates() {
      CanvasState state = canvas(RECT);

      fails(() -> reducer.applyInPlace(state, new MoveShape("r", Double.NaN, 0)), ErrorCode.INVALID_OP,
          "x must be a finite number");
      fails(() -> reducer.applyInPlace(state, new ResizeShape("r", -1, 0)), ErrorCode.INVALID_OP,
          "w must be a finite number >= 0");
      fails(() -> reducer.applyInPlace(state, new ResizeShape("r", 1, 1, Double.POSITIVE_INFINITY, null)),
          ErrorCode.INVALID_OP, "x must be a finite number");
      fails(() -> reducer.applyInPlace(state, new DeleteShape("")), ErrorCode.INVALID_OP, "id must be a string");
      fails(() -> reducer.applyInPlace(state, new CreateShape(object("{'id':'n','type':'rect','x':0}"))),
          ErrorCode.INVALID_OP, "shape.y is required");
      fails(() -> reducer.applyInPlace(state, new UpdateShape("r", object("{'type':'line'}"))),
          ErrorCode.INVALID_OP, "set.type cannot be changed");
      fails(() -> reducer.applyInPlace(state, new BatchOp(List.of())), ErrorCode.INVALID_OP, "at least one op");
      fails(() -> reducer.applyInPlace(state, new BatchOp(List.of(new BatchOp(List.of(new DeleteShape("r")))))),
          ErrorCode.INVALID_OP, "ops[0]: a batch cannot contain a batch");
      List<CanvasOp> tooMany = new ArrayList<>();
      for (int i = 0; i <= CanvasLimits.DEFAULT_MAX_BATCH_OPS; i++) {
        tooMany.add(new MoveShape("r", i, i));
      }
      fails(() -> reducer.applyInPlace(state, new BatchOp(tooMany)), ErrorCode.TOO_LARGE, "at most 500 ops");
      assertThat(state.toJson()).isEqualTo(canvas(RECT).toJson());
    }

    @Test
    @DisplayName("stores a normalized copy, so changing the record's JSON afterwards changes nothing")
    void storesACopy() {
      CanvasState state = CanvasState.empty();
      ObjectNode shape = object("{'id':'n','type':'rect','x':1.0,'y':0}");

      reducer.applyInPlace(state, new CreateShape(shape));
      shape.put("x", 99);

      assertThat(state.shape("n")).isEqualTo(json("{'id':'n','type':'rect','x':1,'y':0}"));
    }

    @Test
    @DisplayName("hands out inverses that cannot reach into the state or its copies")
    void inversesAreIsolated() {
      CanvasState state = canvas(RECT);
      CanvasState copy = state.copy();

      CreateShape inverse = (CreateShape) apply(state, "{'kind':'delete_shape','id':'r'}");
      inverse.shape().put("x", 1000);
      ((ObjectNode) inverse.toJson().get("shape")).put("y", 1000);
      UpdateShape update = (UpdateShape) apply(copy, "{'kind':'update_shape','id':'r','set':{'style':{}}}");
      ((ObjectNode) update.set().get("style")).put("fill", "green");

      assertThat(copy.shape("r").get("style")).isEqualTo(json("{}"));
      assertThat(inverse.shape().get("x").intValue()).isEqualTo(1);
      reducer.applyInPlace(state, inverse);
      assertThat(state.shape("r")).isEqualTo(canvas(RECT).shape("r"));
    }
  }

  @Nested
  @DisplayName("in general")
  class General {
    @Test
    @DisplayName("apply never changes the state it is given and returns the changed copy")
    void applyIsPure() {
      CanvasState state = canvas(RECT);
      ObjectNode before = state.toJson();
      String hash = state.hash();

      Reducer.Applied applied = reducer.apply(state, reducer.parse(json("{'kind':'delete_shape','id':'r'}")));

      assertThat(state.toJson()).isEqualTo(before);
      assertThat(state.hash()).isEqualTo(hash);
      assertThat(applied.state().size()).isZero();
      assertThat(applied.inverse()).isInstanceOf(CreateShape.class);
    }

    @Test
    @DisplayName("applies 120 000 ops to a canvas of up to 100 000 shapes in seconds, so no op costs O(canvas)")
    void scalesWithTheOpNotTheCanvas() {
      CanvasState state = CanvasState.empty();
      long start = System.nanoTime();
      for (int i = 0; i < CanvasLimits.DEFAULT_MAX_SHAPES; i++) {
        ObjectNode shape = object("{'type':'rect','x':0,'y':0}").put("id", "s" + i);
        reducer.applyInPlace(state, new CreateShape(shape));
      }
      for (int i = 0; i < 20_000; i++) {
        reducer.applyInPlace(state, new MoveShape("s" + (i * 7919 % CanvasLimits.DEFAULT_MAX_SHAPES), i, -i));
      }
      long millis = (System.nanoTime() - start) / 1_000_000;

      fails(() -> reducer.applyInPlace(state, new CreateShape(object("{'id':'one-more','type':'rect','x':0,'y':0}"))),
          ErrorCode.TOO_LARGE, "a canvas may hold at most 100000 shapes");
      assertThat(millis).as("120 000 ops on a canvas of up to 100 000 shapes").isLessThan(15_000);
    }
  }
}
