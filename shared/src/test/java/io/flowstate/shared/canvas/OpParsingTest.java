package io.flowstate.shared.canvas;

import static io.flowstate.shared.canvas.CanvasFixtures.fails;
import static io.flowstate.shared.canvas.CanvasFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Parsing op JSON")
class OpParsingTest {
  private final Reducer reducer = new Reducer(CanvasLimits.defaults());

  private CanvasOp parse(String op) {
    return reducer.parse(json(op));
  }

  @Test
  @DisplayName("turns each kind into its record, with numbers normalized")
  void parsesEveryKind() {
    assertThat(parse("{'kind':'create_shape','shape':{'id':'s','type':'rect','x':1.0,'y':2}}"))
        .isEqualTo(new CreateShape((ObjectNode) json("{'id':'s','type':'rect','x':1,'y':2}")));
    assertThat(parse("{'kind':'update_shape','id':'s','set':{'text':'t','w':null}}"))
        .isEqualTo(new UpdateShape("s", (ObjectNode) json("{'w':null,'text':'t'}")));
    assertThat(parse("{'kind':'move_shape','id':'s','x':10,'y':-0.0}")).isEqualTo(new MoveShape("s", 10, 0));
    assertThat(parse("{'kind':'resize_shape','id':'s','w':3,'h':4}")).isEqualTo(new ResizeShape("s", 3, 4));
    assertThat(parse("{'kind':'resize_shape','id':'s','w':3,'h':4,'x':1}"))
        .isEqualTo(new ResizeShape("s", 3, 4, 1.0, null));
    assertThat(parse("{'kind':'delete_shape','id':'s'}")).isEqualTo(new DeleteShape("s"));
    assertThat(parse("{'kind':'batch','ops':[{'kind':'delete_shape','id':'a'},{'kind':'delete_shape','id':'b'}]}"))
        .isEqualTo(new BatchOp(List.of(new DeleteShape("a"), new DeleteShape("b"))));
  }

  @Test
  @DisplayName("gives ops whose kind and toJson are the normalized wire form")
  void toJsonIsTheWireForm() {
    assertThat(Json.write(parse("{'y':20,'x':10.0,'id':'s1','kind':'move_shape'}").toJson()))
        .isEqualTo("{\"kind\":\"move_shape\",\"id\":\"s1\",\"x\":10,\"y\":20}");
    assertThat(Json.write(parse("{'kind':'resize_shape','id':'s','y':2,'w':0.5,'h':4}").toJson()))
        .isEqualTo("{\"kind\":\"resize_shape\",\"id\":\"s\",\"w\":0.5,\"h\":4,\"y\":2}");
    assertThat(Json.write(parse("{'kind':'update_shape','id':'s','set':{}}").toJson()))
        .isEqualTo("{\"kind\":\"update_shape\",\"id\":\"s\",\"set\":{}}");
    assertThat(parse("{'kind':'batch','ops':[{'kind':'delete_shape','id':'a'}]}").kind()).isEqualTo("batch");
  }

  @Test
  @DisplayName("of an op's own toJson gives back an equal op")
  void roundTrips() {
    List<String> ops = List.of(
        "{'kind':'create_shape','shape':{'id':'s','type':'arrow','x':1.5,'y':2,'points':[[0,0]],'style':{}}}",
        "{'kind':'update_shape','id':'s','set':{'style':null,'x':3,'points':[]}}",
        "{'kind':'move_shape','id':'s','x':1e300,'y':-2.25}",
        "{'kind':'resize_shape','id':'s','w':0,'h':0,'x':1,'y':2}",
        "{'kind':'delete_shape','id':'s'}",
        "{'kind':'batch','ops':[{'kind':'move_shape','id':'s','x':1,'y':2},{'kind':'delete_shape','id':'s'}]}");
    for (String text : ops) {
      CanvasOp op = parse(text);
      assertThat(reducer.parse(op.toJson())).as(text).isEqualTo(op);
    }
  }

  static Stream<Arguments> invalidOps() {
    String shape = "{'id':'s','type':'rect','x':0,'y':0}";
    return Stream.of(
        bad("a string instead of an object", "'move'", "an op must be a JSON object"),
        bad("no kind", "{'id':'s'}", "kind is required"),
        bad("a numeric kind", "{'kind':3,'id':'s'}", "kind must be a string"),
        bad("an unknown kind", "{'kind':'rotate_shape','id':'s'}",
            "kind must be one of create_shape, update_shape, move_shape, resize_shape, delete_shape, batch"),
        bad("create_shape without shape", "{'kind':'create_shape'}", "shape must be an object"),
        bad("create_shape with an extra key", "{'kind':'create_shape','shape':" + shape + ",'id':'s'}",
            "create_shape has unknown field 'id'"),
        bad("update_shape without id", "{'kind':'update_shape','set':{}}", "id is required"),
        bad("update_shape without set", "{'kind':'update_shape','id':'s'}", "set is required"),
        bad("update_shape with set as an array", "{'kind':'update_shape','id':'s','set':[]}", "set must be an object"),
        bad("update_shape setting id", "{'kind':'update_shape','id':'s','set':{'id':'t'}}", "set.id cannot be changed"),
        bad("update_shape setting type", "{'kind':'update_shape','id':'s','set':{'type':'rect'}}",
            "set.type cannot be changed"),
        bad("update_shape setting x to null", "{'kind':'update_shape','id':'s','set':{'x':null}}",
            "set.x cannot be null"),
        bad("update_shape setting y to null", "{'kind':'update_shape','id':'s','set':{'y':null}}",
            "set.y cannot be null"),
        bad("update_shape setting an unknown field", "{'kind':'update_shape','id':'s','set':{'color':1}}",
            "set has unknown field 'color'"),
        bad("update_shape setting a bad value", "{'kind':'update_shape','id':'s','set':{'w':-3}}",
            "set.w must be a finite number >= 0"),
        bad("update_shape with a bad style", "{'kind':'update_shape','id':'s','set':{'style':{'opacity':2}}}",
            "set.style.opacity must be a finite number in [0, 1]"),
        bad("update_shape with an extra key", "{'kind':'update_shape','id':'s','set':{},'x':1}",
            "update_shape has unknown field 'x'"),
        bad("move_shape without y", "{'kind':'move_shape','id':'s','x':1}", "y is required"),
        bad("move_shape with x as a string", "{'kind':'move_shape','id':'s','x':'1','y':1}", "x must be a finite number"),
        bad("move_shape with an extra key", "{'kind':'move_shape','id':'s','x':1,'y':1,'w':1}",
            "move_shape has unknown field 'w'"),
        bad("resize_shape without h", "{'kind':'resize_shape','id':'s','w':1}", "h is required"),
        bad("resize_shape with a negative w", "{'kind':'resize_shape','id':'s','w':-1,'h':1}",
            "w must be a finite number >= 0"),
        bad("resize_shape with a null x", "{'kind':'resize_shape','id':'s','w':1,'h':1,'x':null}",
            "x must be a finite number"),
        bad("resize_shape with an extra key", "{'kind':'resize_shape','id':'s','w':1,'h':1,'rotation':1}",
            "resize_shape has unknown field 'rotation'"),
        bad("delete_shape with an empty id", "{'kind':'delete_shape','id':''}", "id must be a string of 1 to 64"),
        bad("delete_shape with an id of 65 characters", "{'kind':'delete_shape','id':'" + "d".repeat(65) + "'}",
            "id must be a string of 1 to 64"),
        bad("delete_shape with a numeric id", "{'kind':'delete_shape','id':5}", "id must be a string"),
        bad("delete_shape with an extra key", "{'kind':'delete_shape','id':'s','force':true}",
            "delete_shape has unknown field 'force'"),
        bad("batch without ops", "{'kind':'batch'}", "ops must be an array of ops"),
        bad("batch with no op", "{'kind':'batch','ops':[]}", "ops must hold at least one op"),
        bad("batch with an extra key", "{'kind':'batch','ops':[{'kind':'delete_shape','id':'a'}],'atomic':true}",
            "batch has unknown field 'atomic'"),
        bad("batch inside a batch",
            "{'kind':'batch','ops':[{'kind':'delete_shape','id':'a'},{'kind':'batch','ops':[{'kind':'delete_shape','id':'b'}]}]}",
            "ops[1]: a batch cannot contain a batch"),
        bad("batch with an invalid op", "{'kind':'batch','ops':[{'kind':'delete_shape','id':'a'},{'kind':'move_shape','id':'a'}]}",
            "ops[1]: x is required"));
  }

  private static Arguments bad(String name, String op, String message) {
    return Arguments.of(name, op, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidOps")
  @DisplayName("refuses with invalid_op and a message naming the field an op that has")
  void refusesInvalidOps(String name, String op, String message) {
    fails(() -> parse(op), ErrorCode.INVALID_OP, message);
  }

  @Test
  @DisplayName("refuses a batch of more than maxBatchOps ops with too_large, and accepts exactly maxBatchOps")
  void batchLimit() {
    String one = "{'kind':'delete_shape','id':'a'}";
    String full = "{'kind':'batch','ops':[" + String.join(",", Collections.nCopies(500, one)) + "]}";
    String over = full.replace("'ops':[", "'ops':[" + one + ",");

    assertThat(((BatchOp) parse(full)).ops()).hasSize(500);
    fails(() -> parse(over), ErrorCode.TOO_LARGE, "a batch may hold at most 500 ops");
  }

  @Test
  @DisplayName("keeps the code of a failing op inside a batch and prefixes its index")
  void batchKeepsSubOpCode() {
    String text = "{'kind':'create_shape','shape':{'id':'t','type':'text','x':0,'y':0,'text':'" + "x".repeat(10_001) + "'}}";
    FlowStateException e = fails(() -> parse("{'kind':'batch','ops':[{'kind':'delete_shape','id':'a'}," + text + "]}"),
        ErrorCode.TOO_LARGE, "ops[1]: shape.text must be at most 10000 characters");

    assertThat(e.getMessage()).startsWith("ops[1]: ");
  }
}
