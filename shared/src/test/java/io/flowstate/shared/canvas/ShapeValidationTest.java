package io.flowstate.shared.canvas;

import static io.flowstate.shared.canvas.CanvasFixtures.fails;
import static io.flowstate.shared.canvas.CanvasFixtures.json;
import static io.flowstate.shared.canvas.CanvasFixtures.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.Json;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("A shape in create_shape")
class ShapeValidationTest {
  private final Reducer reducer = new Reducer(CanvasLimits.defaults());

  private ObjectNode parsedShape(String shape) {
    CanvasOp op = reducer.parse(json("{'kind':'create_shape','shape':" + shape + "}"));
    return ((CreateShape) op).shape();
  }

  private void rejects(String shape, ErrorCode code, String messagePart) {
    fails(() -> reducer.parse(json("{'kind':'create_shape','shape':" + shape + "}")), code, messagePart);
  }

  @ParameterizedTest(name = "type {0}")
  @ValueSource(strings = {"rect", "ellipse", "line", "arrow", "text", "sticky", "path"})
  @DisplayName("may be of each of the seven types with only id, type, x and y")
  void acceptsEveryType(String type) {
    ObjectNode shape = parsedShape("{'id':'s1','type':'" + type + "','x':1,'y':2}");

    assertThat(shape).isEqualTo(json("{'id':'s1','type':'" + type + "','x':1,'y':2}"));
  }

  @Test
  @DisplayName("keeps every optional field it is given and fills in none it is not")
  void keepsOptionalFieldsAndAddsNone() {
    String full = "{'id':'s1','type':'path','x':1,'y':2,'w':3,'h':4,'rotation':-0.5,'z':'a0',"
        + "'style':{'stroke':'#000','fill':'none','strokeWidth':2,'opacity':0.5,'fontSize':12},"
        + "'text':'hi','points':[[0,0],[1.5,2]]}";

    assertThat(parsedShape(full)).isEqualTo(json(full));
    assertThat(parsedShape("{'id':'s1','type':'rect','x':1,'y':2,'style':{}}"))
        .isEqualTo(json("{'id':'s1','type':'rect','x':1,'y':2,'style':{}}"));
  }

  @Test
  @DisplayName("is normalized with its fields in one canonical order, whatever order they came in")
  void fieldsInCanonicalOrder() {
    ObjectNode shape = parsedShape("{'style':{'fill':'red','stroke':'blue'},'y':2,'x':1,'type':'rect','id':'s1'}");

    assertThat(Json.write(shape))
        .isEqualTo("{\"id\":\"s1\",\"type\":\"rect\",\"x\":1,\"y\":2,\"style\":{\"stroke\":\"blue\",\"fill\":\"red\"}}");
  }

  @Test
  @DisplayName("has integral numbers below 2^53 stored as integers and every other number as a double")
  void normalizesNumbers() {
    ObjectNode shape = parsedShape("{'id':'s','type':'path','x':1.0,'y':-0.0,'w':9007199254740991.0,"
        + "'h':9007199254740992,'rotation':12345678901234567890,'points':[[2.50,1e2]]}");

    assertThat(shape.get("x").isIntegralNumber()).isTrue();
    assertThat(shape.get("x").asLong()).isEqualTo(1);
    assertThat(Json.write(shape.get("y"))).isEqualTo("0");
    assertThat(shape.get("w").isIntegralNumber()).isTrue();
    assertThat(shape.get("w").asLong()).isEqualTo(9007199254740991L);
    assertThat(shape.get("h").isDouble()).isTrue();
    assertThat(shape.get("rotation").isDouble()).isTrue();
    assertThat(Json.write(shape.get("points"))).isEqualTo("[[2.5,100]]");
  }

  @Test
  @DisplayName("may use the full length limits, counting code points rather than UTF-16 units")
  void acceptsValuesAtTheLimits() {
    String id64 = "\uD83D\uDE00".repeat(64);
    String text = "x".repeat(CanvasLimits.DEFAULT_MAX_TEXT_CHARS);
    String z = "z".repeat(CanvasLimits.DEFAULT_MAX_Z_LENGTH);
    String fill = "f".repeat(CanvasLimits.DEFAULT_MAX_STYLE_STRING_LENGTH);
    ObjectNode shape = parsedShape("{'id':'" + id64 + "','type':'text','x':0,'y':0,'w':0,'h':0,'z':'" + z
        + "','text':'" + text + "','style':{'fill':'" + fill + "','opacity':1,'strokeWidth':0}}");

    assertThat(shape.get("id").textValue()).hasSize(128);
    assertThat(shape.get("text").textValue()).hasSize(CanvasLimits.DEFAULT_MAX_TEXT_CHARS);
  }

  @Test
  @DisplayName("may have as many points as maxPoints allows, and no more (too_large)")
  void pointLimit() {
    Reducer small = new Reducer(new CanvasLimits(64, 500, 100, 3, 128, 256, 100));
    String three = "{'kind':'create_shape','shape':{'id':'p','type':'line','x':0,'y':0,'points':[[0,0],[1,1],[2,2]]}}";
    String four = three.replace("[2,2]", "[2,2],[3,3]");

    assertThat(((CreateShape) small.parse(json(three))).shape().get("points")).hasSize(3);
    fails(() -> small.parse(json(four)), ErrorCode.TOO_LARGE, "shape.points must have at most 3 points");
  }

  static Stream<Arguments> invalidShapes() {
    String longId = "i".repeat(65);
    return Stream.of(
        bad("not an object", "'s1'", ErrorCode.INVALID_OP, "shape must be an object"),
        bad("no id", "{'type':'rect','x':0,'y':0}", ErrorCode.INVALID_OP, "shape.id is required"),
        bad("empty id", "{'id':'','type':'rect','x':0,'y':0}", ErrorCode.INVALID_OP,
            "shape.id must be a string of 1 to 64 characters"),
        bad("id of 65 characters", "{'id':'" + longId + "','type':'rect','x':0,'y':0}", ErrorCode.INVALID_OP,
            "shape.id must be a string of 1 to 64"),
        bad("numeric id", "{'id':7,'type':'rect','x':0,'y':0}", ErrorCode.INVALID_OP, "shape.id must be a string"),
        bad("no type", "{'id':'s','x':0,'y':0}", ErrorCode.INVALID_OP, "shape.type is required"),
        bad("unknown type", "{'id':'s','type':'star','x':0,'y':0}", ErrorCode.INVALID_OP,
            "shape.type must be one of rect, ellipse, line, arrow, text, sticky, path"),
        bad("no x", "{'id':'s','type':'rect','y':0}", ErrorCode.INVALID_OP, "shape.x is required"),
        bad("no y", "{'id':'s','type':'rect','x':0}", ErrorCode.INVALID_OP, "shape.y is required"),
        bad("x as a string", "{'id':'s','type':'rect','x':'1','y':0}", ErrorCode.INVALID_OP,
            "shape.x must be a finite number"),
        bad("y null", "{'id':'s','type':'rect','x':0,'y':null}", ErrorCode.INVALID_OP, "shape.y must be a finite number"),
        bad("negative w", "{'id':'s','type':'rect','x':0,'y':0,'w':-1}", ErrorCode.INVALID_OP,
            "shape.w must be a finite number >= 0"),
        bad("negative h", "{'id':'s','type':'rect','x':0,'y':0,'h':-0.5}", ErrorCode.INVALID_OP,
            "shape.h must be a finite number >= 0"),
        bad("null w", "{'id':'s','type':'rect','x':0,'y':0,'w':null}", ErrorCode.INVALID_OP,
            "shape.w must be a finite number >= 0"),
        bad("rotation as a boolean", "{'id':'s','type':'rect','x':0,'y':0,'rotation':true}", ErrorCode.INVALID_OP,
            "shape.rotation must be a finite number"),
        bad("z as a number", "{'id':'s','type':'rect','x':0,'y':0,'z':1}", ErrorCode.INVALID_OP,
            "shape.z must be a string"),
        bad("z too long", "{'id':'s','type':'rect','x':0,'y':0,'z':'" + "z".repeat(257) + "'}", ErrorCode.INVALID_OP,
            "shape.z must be at most 256 characters"),
        bad("style as an array", "{'id':'s','type':'rect','x':0,'y':0,'style':[]}", ErrorCode.INVALID_OP,
            "shape.style must be an object"),
        bad("unknown style key", "{'id':'s','type':'rect','x':0,'y':0,'style':{'color':'red'}}",
            ErrorCode.INVALID_OP, "shape.style has unknown field 'color'"),
        bad("stroke as a number", "{'id':'s','type':'rect','x':0,'y':0,'style':{'stroke':1}}", ErrorCode.INVALID_OP,
            "shape.style.stroke must be a string"),
        bad("fill too long", "{'id':'s','type':'rect','x':0,'y':0,'style':{'fill':'" + "f".repeat(129) + "'}}",
            ErrorCode.INVALID_OP, "shape.style.fill must be at most 128 characters"),
        bad("negative strokeWidth", "{'id':'s','type':'rect','x':0,'y':0,'style':{'strokeWidth':-2}}",
            ErrorCode.INVALID_OP, "shape.style.strokeWidth must be a finite number >= 0"),
        bad("opacity above 1", "{'id':'s','type':'rect','x':0,'y':0,'style':{'opacity':1.5}}", ErrorCode.INVALID_OP,
            "shape.style.opacity must be a finite number in [0, 1]"),
        bad("opacity below 0", "{'id':'s','type':'rect','x':0,'y':0,'style':{'opacity':-0.1}}", ErrorCode.INVALID_OP,
            "shape.style.opacity must be a finite number in [0, 1]"),
        bad("fontSize 0", "{'id':'s','type':'text','x':0,'y':0,'style':{'fontSize':0}}", ErrorCode.INVALID_OP,
            "shape.style.fontSize must be a finite number > 0"),
        bad("null style value", "{'id':'s','type':'rect','x':0,'y':0,'style':{'fill':null}}", ErrorCode.INVALID_OP,
            "shape.style.fill must be a string"),
        bad("text as a number", "{'id':'s','type':'text','x':0,'y':0,'text':5}", ErrorCode.INVALID_OP,
            "shape.text must be a string"),
        bad("text too long", "{'id':'s','type':'text','x':0,'y':0,'text':'" + "t".repeat(10_001) + "'}",
            ErrorCode.TOO_LARGE, "shape.text must be at most 10000 characters"),
        bad("text with an unpaired surrogate", "{'id':'s','type':'text','x':0,'y':0,'text':'a\\ud800b'}",
            ErrorCode.INVALID_OP, "shape.text must be valid Unicode"),
        bad("id with an unpaired surrogate", "{'id':'\\udc00','type':'text','x':0,'y':0}",
            ErrorCode.INVALID_OP, "shape.id must be a string of 1 to 64 characters"),
        bad("points on a rect", "{'id':'s','type':'rect','x':0,'y':0,'points':[[0,0]]}", ErrorCode.INVALID_OP,
            "shape.points is allowed only for line, arrow and path shapes"),
        bad("points as an object", "{'id':'s','type':'line','x':0,'y':0,'points':{}}", ErrorCode.INVALID_OP,
            "shape.points must be an array of [x, y] pairs"),
        bad("a point with three numbers", "{'id':'s','type':'line','x':0,'y':0,'points':[[0,0],[1,2,3]]}",
            ErrorCode.INVALID_OP, "shape.points[1] must be an [x, y] pair of finite numbers"),
        bad("a point that is a number", "{'id':'s','type':'arrow','x':0,'y':0,'points':[5]}", ErrorCode.INVALID_OP,
            "shape.points[0] must be an [x, y] pair"),
        bad("a point with a string", "{'id':'s','type':'path','x':0,'y':0,'points':[[0,'1']]}", ErrorCode.INVALID_OP,
            "shape.points[0] must be an [x, y] pair"),
        bad("too many points", "{'id':'s','type':'path','x':0,'y':0,'points':["
            + "[0,0],".repeat(10_000) + "[0,0]]}", ErrorCode.TOO_LARGE, "shape.points must have at most 10000 points"),
        bad("an infinite number", "{'id':'s','type':'rect','x':1e400,'y':0}", ErrorCode.INVALID_OP,
            "shape.x must be a finite number"),
        bad("an unknown field", "{'id':'s','type':'rect','x':0,'y':0,'color':'red'}", ErrorCode.INVALID_OP,
            "shape has unknown field 'color'"));
  }

  private static Arguments bad(String name, String shape, ErrorCode code, String message) {
    return Arguments.of(name, shape, code, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidShapes")
  @DisplayName("is refused with the code and a message naming the field when it has")
  void refusesInvalidShapes(String name, String shape, ErrorCode code, String message) {
    rejects(shape, code, message);
  }

  @Test
  @DisplayName("is copied on parse, so changing the input JSON later changes nothing")
  void parseCopiesInput() {
    JsonNode op = json("{'kind':'create_shape','shape':{'id':'s','type':'line','x':0,'y':0,'points':[[1,2]]}}");
    CreateShape create = (CreateShape) reducer.parse(op);

    ((ObjectNode) op.get("shape")).put("x", 99);
    ((ArrayNode) op.get("shape").get("points")).removeAll();

    assertThat(create.shape()).isEqualTo(json("{'id':'s','type':'line','x':0,'y':0,'points':[[1,2]]}"));
  }

  @Test
  @DisplayName("gives out copies from its accessor, so the op cannot be changed from outside")
  void accessorReturnsCopy() {
    CreateShape create = (CreateShape) reducer.parse(json("{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0}}"));

    create.shape().put("x", 5);
    ((ObjectNode) create.toJson().get("shape")).put("y", 5);

    assertThat(create.shape()).isEqualTo(object("{'id':'s','type':'rect','x':0,'y':0}"));
  }
}
