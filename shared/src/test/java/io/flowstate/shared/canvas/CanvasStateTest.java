package io.flowstate.shared.canvas;

import static io.flowstate.shared.canvas.CanvasFixtures.EMPTY_HASH;
import static io.flowstate.shared.canvas.CanvasFixtures.canvas;
import static io.flowstate.shared.canvas.CanvasFixtures.fails;
import static io.flowstate.shared.canvas.CanvasFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A canvas state")
class CanvasStateTest {
  private static final String SMILEY = "\uD83D\uDE00";

  static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** The hash recomputed the slow, obvious way: JsonCanonicalizer over the whole shapes array. */
  static String referenceHash(CanvasState state) throws Exception {
    String shapes = Json.write(state.toJson().get("shapes"));
    return sha256(new JsonCanonicalizer(shapes).getEncodedString());
  }

  private static String create(String shape) {
    return "{'kind':'create_shape','shape':" + shape + "}";
  }

  @Test
  @DisplayName("when empty has shapes [] and the hash of \"[]\"")
  void empty() throws Exception {
    CanvasState state = CanvasState.empty();

    assertThat(state.toJson()).isEqualTo(json("{'shapes':[]}"));
    assertThat(state.hash()).isEqualTo(EMPTY_HASH).isEqualTo(sha256("[]"));
  }

  @Test
  @DisplayName("hashes the RFC 8785 form of its shapes: sorted keys, no spaces, ECMAScript numbers")
  void hashRecipe() throws Exception {
    CanvasState state = canvas(create("{'y':-2.50,'x':1e21,'type':'rect','id':'a','style':{'opacity':0.5,'fill':'r\\u00e9d'}}"),
        create("{'id':'b','type':'line','x':1.0,'y':1e-7,'points':[[0.1,100]],'text':'\\\"\\n\\u0001'}"));

    String canonical = "[{\"id\":\"a\",\"style\":{\"fill\":\"r\u00e9d\",\"opacity\":0.5},\"type\":\"rect\",\"x\":1e+21,\"y\":-2.5},"
        + "{\"id\":\"b\",\"points\":[[0.1,100]],\"text\":\"\\\"\\n\\u0001\",\"type\":\"line\",\"x\":1,\"y\":1e-7}]";
    assertThat(state.hash()).isEqualTo(sha256(canonical)).isEqualTo(referenceHash(state));
  }

  @Test
  @DisplayName("hashes a shape with x = 1.0 exactly like one with x = 1")
  void integralDoublesHashLikeIntegers() {
    assertThat(canvas(create("{'id':'a','type':'rect','x':1.0,'y':2}")).hash())
        .isEqualTo(canvas(create("{'id':'a','type':'rect','x':1,'y':2}")).hash())
        .isNotEqualTo(canvas(create("{'id':'a','type':'rect','x':1.5,'y':2}")).hash());
  }

  @Test
  @DisplayName("hashes the same whatever the key order and whitespace of the input")
  void inputFormattingDoesNotMatter() {
    String compact = create("{'id':'a','type':'rect','x':1,'y':2,'style':{'fill':'red','stroke':'blue'}}");
    String shuffled = "{ 'shape' : {\n  'style': { 'stroke':'blue' , 'fill':'red' },\n 'y':2, 'x' : 1,"
        + " 'type':'rect', 'id':'a' }, 'kind' : 'create_shape' }";

    assertThat(canvas(shuffled).hash()).isEqualTo(canvas(compact).hash());
    assertThat(canvas(shuffled).toJson()).isEqualTo(canvas(compact).toJson());
  }

  @Test
  @DisplayName("sorts shapes by id in code point order, U+FFFF before U+1F600, unlike String.compareTo")
  void codePointOrder() throws Exception {
    CanvasState state = canvas(create("{'id':'" + SMILEY + "','type':'rect','x':0,'y':0}"),
        create("{'id':'\uFFFF','type':'rect','x':0,'y':0}"), create("{'id':'b','type':'rect','x':0,'y':0}"),
        create("{'id':'a','type':'rect','x':0,'y':0}"), create("{'id':'\uE000','type':'rect','x':0,'y':0}"));

    List<String> ids = state.toJson().get("shapes").findValuesAsText("id");
    assertThat(ids).containsExactly("a", "b", "\uE000", "\uFFFF", SMILEY);
    assertThat(SMILEY.compareTo("\uFFFF")).as("UTF-16 order differs").isNegative();
    assertThat(state.hash()).isEqualTo(referenceHash(state));
  }

  @Test
  @DisplayName("changes its hash when a shape changes, and gets it back when the change is undone")
  void hashFollowsChanges() {
    Reducer reducer = new Reducer(CanvasLimits.defaults());
    CanvasState state = canvas(create("{'id':'a','type':'rect','x':0,'y':0}"));
    String before = state.hash();

    CanvasOp inverse = reducer.applyInPlace(state, new MoveShape("a", 1, 0));
    String moved = state.hash();
    reducer.applyInPlace(state, inverse);

    assertThat(moved).isNotEqualTo(before);
    assertThat(state.hash()).isEqualTo(before);
  }

  @Test
  @DisplayName("writes canonical JSON byte for byte as JsonCanonicalizer does, for awkward strings and numbers")
  void canonicalWriterMatchesLibrary() throws Exception {
    JsonNode tricky = json("{'z':['\\u0000\\u001f\\u007f','\\b\\f\\n\\r\\t','\\\\\\\"/','\\u2028\\u2029','" + SMILEY
        + "\u00e9\u4e2d'],'a':[0,-0.0,1.0,0.1,-1.5,1e21,1e20,123456789012345680000,1e-6,1e-7,5e-324,"
        + "1.7976931348623157e308,9007199254740993,0.30000000000000004,333333333.33333329,-1e-300],"
        + "'\\u00e9':{'B':1,'a':2,'" + SMILEY + "':3,'\\uffff':4,'10':5,'9':6}}");

    StringBuilder out = new StringBuilder();
    CanonicalJson.write(tricky, out);

    assertThat(out.toString()).isEqualTo(new JsonCanonicalizer(Json.write(tricky)).getEncodedString());
  }

  @Test
  @DisplayName("hands out copies, so changing shape() or toJson() output never changes the state")
  void handsOutCopies() {
    CanvasState state = canvas(create("{'id':'a','type':'line','x':0,'y':0,'style':{},'points':[[1,1]]}"));
    String hash = state.hash();

    ((ObjectNode) state.shape("a").get("style")).put("fill", "red");
    ObjectNode json = state.toJson();
    ((ObjectNode) json.get("shapes").get(0)).put("x", 5);

    assertThat(state.shape("a")).isEqualTo(json("{'id':'a','type':'line','x':0,'y':0,'style':{},'points':[[1,1]]}"));
    assertThat(state.shape("missing")).isNull();
    assertThat(state.hash()).isEqualTo(hash);
  }

  @Test
  @DisplayName("and its copy never affect each other")
  void copiesAreIndependent() {
    Reducer reducer = new Reducer(CanvasLimits.defaults());
    CanvasState state = canvas(create("{'id':'a','type':'rect','x':0,'y':0}"));
    String hash = state.hash();

    CanvasState copy = state.copy();
    reducer.applyInPlace(copy, new MoveShape("a", 5, 5));
    reducer.applyInPlace(state, new DeleteShape("a"));

    assertThat(copy.shape("a").get("x").intValue()).isEqualTo(5);
    assertThat(copy.hash()).isNotEqualTo(hash).isNotEqualTo(EMPTY_HASH);
    assertThat(state.size()).isZero();
    assertThat(state.hash()).isEqualTo(EMPTY_HASH);
  }

  @Test
  @DisplayName("reads its own toJson back with the same hash and shapes, in any order")
  void fromJsonRoundTrip() {
    CanvasState state = canvas(create("{'id':'b','type':'text','x':1.5,'y':0,'text':'t'}"),
        create("{'id':'a','type':'rect','x':0,'y':0}"));

    CanvasState read = CanvasState.fromJson(Json.parse(Json.write(state.toJson())));
    CanvasState reversed = CanvasState.fromJson(json("{'shapes':[{'id':'b','type':'text','x':1.5,'y':0,'text':'t'},"
        + "{'id':'a','type':'rect','x':0.0,'y':0}]}"));

    assertThat(read.hash()).isEqualTo(state.hash());
    assertThat(read.toJson()).isEqualTo(state.toJson());
    assertThat(reversed.hash()).isEqualTo(state.hash());
  }

  @Test
  @DisplayName("refuses to read anything but valid, unique shapes, always with invalid_op")
  void fromJsonValidates() {
    fails(() -> CanvasState.fromJson(json("[]")), ErrorCode.INVALID_OP, "a canvas state must be an object");
    fails(() -> CanvasState.fromJson(json("{'shapes':[],'version':1}")), ErrorCode.INVALID_OP,
        "a canvas state must be an object");
    fails(() -> CanvasState.fromJson(json("{'shapes':{}}")), ErrorCode.INVALID_OP, "shapes must be an array");
    fails(() -> CanvasState.fromJson(json("{'shapes':[{'id':'a','type':'rect','x':0}]}")), ErrorCode.INVALID_OP,
        "shapes[0].y is required");
    fails(() -> CanvasState.fromJson(json("{'shapes':[{'id':'a','type':'text','x':0,'y':0,'text':'"
        + "t".repeat(10_001) + "'}]}")), ErrorCode.INVALID_OP, "shapes[0].text must be at most 10000 characters");
    fails(() -> CanvasState.fromJson(json("{'shapes':[{'id':'a','type':'rect','x':0,'y':0},"
        + "{'id':'a','type':'rect','x':1,'y':1}]}")), ErrorCode.INVALID_OP, "shapes[1].id 'a' is a duplicate");
  }

  @Test
  @DisplayName("reads with the limits it is given")
  void fromJsonWithLimits() {
    CanvasLimits tiny = new CanvasLimits(2, 1, 1, 1, 1, 1, 1);

    fails(() -> CanvasState.fromJson(json("{'shapes':[{'id':'abc','type':'rect','x':0,'y':0}]}"), tiny),
        ErrorCode.INVALID_OP, "shapes[0].id must be a string of 1 to 2 characters");
    assertThat(CanvasState.fromJson(json("{'shapes':[{'id':'ab','type':'rect','x':0,'y':0}]}"), tiny).size()).isOne();
  }
}
