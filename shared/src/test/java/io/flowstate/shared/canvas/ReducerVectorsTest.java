package io.flowstate.shared.canvas;

import static io.flowstate.shared.canvas.CanvasFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.protocol.ErrorCode;
import io.flowstate.shared.protocol.FlowStateException;
import io.flowstate.shared.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The reducer vectors that client reducers in other languages (client-js) replay:
 * {@code src/test/resources/reducer-vectors.json}, a JSON array of
 * {@code {name, ops, expect: [{ok: true, hash} | {error: code}] (one per op), finalState, finalHash}}.
 * Every op of a case is applied in order to an empty canvas with the default limits, failures
 * included (a failed op changes nothing), so the file pins both validation and state.
 *
 * <p>The cases are built here and their expectations computed by the Java reducer; the test fails
 * when the committed file differs, i.e. when a reducer change alters semantics (or a case was
 * edited). After a deliberate change, regenerate and review the diff:
 * {@code ./mvnw -B -o -pl shared test -Dtest=ReducerVectorsTest -Dflowstate.vectors.write=true}.
 */
@DisplayName("The reducer vectors in reducer-vectors.json")
class ReducerVectorsTest {
  private static final Path FILE = Path.of("src/test/resources/reducer-vectors.json");
  private static final String WRITE_PROPERTY = "flowstate.vectors.write";
  private static final String REGENERATE = "./mvnw -B -o -pl shared test -Dtest=ReducerVectorsTest -D"
      + WRITE_PROPERTY + "=true";

  private static final String RECT = "{'kind':'create_shape','shape':{'id':'r1','type':'rect','x':10,'y':20,"
      + "'w':100,'h':50,'rotation':15,'z':'a0','style':{'stroke':'#222','fill':'#ffcc00','strokeWidth':2,"
      + "'opacity':0.5,'fontSize':12},'text':'hello'}}";
  private static final String LINE = "{'kind':'create_shape','shape':{'id':'l1','type':'line','x':0,'y':0,"
      + "'points':[[0,0],[30,40]]}}";

  record Case(String name, List<String> ops) {
  }

  @Test
  @DisplayName("equal what the Java reducer computes for their cases (regenerate with -Dflowstate.vectors.write=true)")
  void matchCommittedFile() throws Exception {
    String generated = render(cases());
    if (Boolean.getBoolean(WRITE_PROPERTY)) {
      Files.writeString(FILE, generated, StandardCharsets.US_ASCII);
    }
    assertThat(FILE).as("%s is missing; create it with %s", FILE, REGENERATE).exists();
    String committed = Files.readString(FILE, StandardCharsets.UTF_8);
    JsonNode expected = Json.parse(generated);
    JsonNode actual = Json.parse(committed);
    assertThat(actual).as("number of cases; regenerate with %s", REGENERATE).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i)).as("case %d (%s) differs from the Java reducer; if the change is deliberate, "
          + "regenerate with %s and review the diff", i, expected.get(i).get("name"), REGENERATE)
          .isEqualTo(expected.get(i));
    }
    assertThat(committed).as("formatting; regenerate with %s", REGENERATE).isEqualTo(generated);
  }

  @Test
  @DisplayName("cover every op kind and every error code of the reducer, under unique names")
  void coverage() {
    Set<String> kinds = new HashSet<>();
    Set<ErrorCode> errors = EnumSet.noneOf(ErrorCode.class);
    Set<String> names = new HashSet<>();
    for (Case c : cases()) {
      assertThat(names.add(c.name())).as("unique name %s", c.name()).isTrue();
      for (String op : c.ops()) {
        kinds.add(json(op).path("kind").asText());
      }
      for (JsonNode e : outcome(c).get("expect")) {
        if (e.has("error")) {
          errors.add(ErrorCode.fromWire(e.get("error").textValue()));
        }
      }
    }
    assertThat(kinds).contains("create_shape", "update_shape", "move_shape", "resize_shape", "delete_shape", "batch");
    assertThat(errors).containsExactlyInAnyOrder(ErrorCode.INVALID_OP, ErrorCode.NOT_FOUND, ErrorCode.CONFLICT,
        ErrorCode.TOO_LARGE);
  }

  @Test
  @DisplayName("have final hashes equal to JsonCanonicalizer + SHA-256 of their final states")
  void finalHashesMatchStates() throws Exception {
    for (Case c : cases()) {
      ObjectNode outcome = outcome(c);
      String canonical = new JsonCanonicalizer(Json.write(outcome.get("finalState").get("shapes"))).getEncodedString();
      String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(canonical.getBytes(StandardCharsets.UTF_8)));
      assertThat(outcome.get("finalHash").textValue()).as(c.name()).isEqualTo(hash);
    }
  }

  @Test
  @DisplayName("have cases in which every failed op leaves the state and its hash as they were")
  void failuresChangeNothing() {
    Reducer reducer = new Reducer(CanvasLimits.defaults());
    int failures = 0;
    for (Case c : cases()) {
      CanvasState state = CanvasState.empty();
      for (String op : c.ops()) {
        ObjectNode before = state.toJson();
        String hash = state.hash();
        try {
          reducer.applyInPlace(state, reducer.parse(json(op)));
        } catch (FlowStateException e) {
          failures++;
          assertThat(state.toJson()).as("%s: %s", c.name(), e.getMessage()).isEqualTo(before);
          assertThat(state.hash()).as("%s: %s", c.name(), e.getMessage()).isEqualTo(hash);
        }
      }
    }
    assertThat(failures).isGreaterThan(100);
  }

  /** One case's {@code expect}, {@code finalState} and {@code finalHash}, as every client computes them. */
  static ObjectNode outcome(Case c) {
    Reducer reducer = new Reducer(CanvasLimits.defaults());
    CanvasState state = CanvasState.empty();
    ArrayNode expect = Json.array();
    for (String op : c.ops()) {
      try {
        reducer.applyInPlace(state, reducer.parse(json(op)));
        expect.addObject().put("ok", true).put("hash", state.hash());
      } catch (FlowStateException e) {
        expect.addObject().put("error", e.code().wire());
      }
    }
    ObjectNode out = Json.object();
    out.set("expect", expect);
    out.set("finalState", state.toJson());
    out.put("finalHash", state.hash());
    return out;
  }

  private static String render(List<Case> cases) throws Exception {
    ObjectWriter writer = Json.MAPPER.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);
    StringBuilder out = new StringBuilder("[\n");
    for (int c = 0; c < cases.size(); c++) {
      Case vector = cases.get(c);
      ObjectNode outcome = outcome(vector);
      out.append("{\"name\": ").append(writer.writeValueAsString(Json.object().textNode(vector.name())));
      out.append(",\n \"ops\": ");
      list(out, vector.ops().stream().map(op -> (JsonNode) json(op)).toList(), writer);
      out.append(",\n \"expect\": ");
      List<JsonNode> expect = new ArrayList<>();
      outcome.get("expect").forEach(expect::add);
      list(out, expect, writer);
      out.append(",\n \"finalState\": ").append(writer.writeValueAsString(outcome.get("finalState")));
      out.append(",\n \"finalHash\": ").append(writer.writeValueAsString(outcome.get("finalHash")));
      out.append("}").append(c + 1 < cases.size() ? ",\n" : "\n");
    }
    return out.append("]\n").toString();
  }

  private static void list(StringBuilder out, List<JsonNode> nodes, ObjectWriter writer) throws Exception {
    if (nodes.isEmpty()) {
      out.append("[]");
      return;
    }
    out.append('[');
    for (int i = 0; i < nodes.size(); i++) {
      out.append(i == 0 ? "\n  " : ",\n  ").append(writer.writeValueAsString(nodes.get(i)));
    }
    out.append("\n ]");
  }

  /** The cases, written with {@code '} for {@code "}; each error op has exactly one fault. */
  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    cases.add(of("no ops: the empty canvas hashes []"));
    cases.add(of("create_shape: one of each type, in any order of arrival", create("g", "path"), create("a", "rect"),
        create("c", "line"), create("b", "ellipse"), create("e", "text"), create("d", "arrow"), create("f", "sticky")));
    cases.add(of("create_shape: every optional field is kept, absent ones stay absent, {} style stays {}", RECT,
        "{'kind':'create_shape','shape':{'id':'full','type':'arrow','x':1,'y':2,'w':3,'h':4,'rotation':-0.25,"
            + "'z':'a0V','style':{'stroke':'#000','fill':'none','strokeWidth':0,'opacity':1,'fontSize':14.5},"
            + "'text':'label','points':[[0,0],[10,-10]]}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'sticky','x':0,'y':0,'style':{}}}"));
    cases.add(of("every op kind in turn on one shape", RECT,
        "{'kind':'update_shape','id':'r1','set':{'text':'bye','w':120}}",
        "{'kind':'move_shape','id':'r1','x':-5,'y':7.25}",
        "{'kind':'resize_shape','id':'r1','w':30,'h':40}",
        "{'kind':'resize_shape','id':'r1','w':0,'h':0.5,'x':1,'y':2}",
        "{'kind':'resize_shape','id':'r1','w':1,'h':1,'y':9}",
        "{'kind':'resize_shape','id':'r1','w':2,'h':2,'x':3}",
        "{'kind':'delete_shape','id':'r1'}"));
    cases.add(of("update_shape.set: null removes optional fields, style is replaced whole", RECT,
        "{'kind':'update_shape','id':'r1','set':{'text':null,'z':null,'rotation':null}}",
        "{'kind':'update_shape','id':'r1','set':{'style':{'fill':'red'}}}",
        "{'kind':'update_shape','id':'r1','set':{'text':null}}",
        "{'kind':'update_shape','id':'r1','set':{'w':null,'h':null,'style':null}}",
        "{'kind':'update_shape','id':'r1','set':{}}",
        "{'kind':'update_shape','id':'r1','set':{'text':'back','style':{}}}"));
    cases.add(of("update_shape.set: points on a line, null points on a rect, points null on a line", RECT, LINE,
        "{'kind':'update_shape','id':'l1','set':{'points':[[1,1],[2,2],[3,3]]}}",
        "{'kind':'update_shape','id':'r1','set':{'points':null}}",
        "{'kind':'update_shape','id':'l1','set':{'points':null}}",
        "{'kind':'update_shape','id':'l1','set':{'points':[]}}"));
    cases.add(of("update_shape.set: id, type, null x or y, unknown fields and points on a rect are refused", RECT,
        "{'kind':'update_shape','id':'r1','set':{'id':'r2'}}",
        "{'kind':'update_shape','id':'r1','set':{'type':'ellipse'}}",
        "{'kind':'update_shape','id':'r1','set':{'x':null}}",
        "{'kind':'update_shape','id':'r1','set':{'y':null,'text':'kept?'}}",
        "{'kind':'update_shape','id':'r1','set':{'color':'red'}}",
        "{'kind':'update_shape','id':'r1','set':{'points':[[0,0]]}}",
        "{'kind':'update_shape','id':'r1','set':{'style':{'opacity':2}}}",
        "{'kind':'update_shape','id':'r1','set':null}",
        "{'kind':'update_shape','id':'r1','set':[]}",
        "{'kind':'update_shape','id':'r1'}",
        "{'kind':'update_shape','set':{'x':1}}",
        "{'kind':'update_shape','id':'nope','set':{'x':1}}",
        "{'kind':'update_shape','id':'r1','set':{'x':1}}"));
    cases.add(of("last write wins per field", RECT,
        "{'kind':'update_shape','id':'r1','set':{'x':1,'y':1}}", "{'kind':'update_shape','id':'r1','set':{'x':2}}",
        "{'kind':'move_shape','id':'r1','x':3,'y':3}", "{'kind':'update_shape','id':'r1','set':{'y':4}}",
        "{'kind':'resize_shape','id':'r1','w':5,'h':6,'x':7}"));
    cases.add(of("numbers: 1.0 is 1, -0 is 0, exponents and long fractions print as ECMAScript does",
        "{'kind':'create_shape','shape':{'id':'n','type':'path','x':1.0,'y':-0.0,'w':1e21,'h':1e-7,"
            + "'rotation':0.1,'style':{'strokeWidth':1E+21,'opacity':0.30000000000000004,'fontSize':9007199254740993},"
            + "'points':[[1.5e300,-2.50],[123456789012345678,5e-324],[-0.0,1e-6],[1e20,999999999999999999999]]}}",
        "{'kind':'move_shape','id':'n','x':2.0e0,'y':-1.0E-7}",
        "{'kind':'resize_shape','id':'n','w':0.000001,'h':100.0,'x':-0.0,'y':4.35}",
        "{'kind':'update_shape','id':'n','set':{'rotation':-0.0,'z':'1.0'}}",
        "{'kind':'create_shape','shape':{'id':'m','type':'rect','x':9007199254740992,'y':-9007199254740991,"
            + "'w':4294967296.5,'h':0.1,'rotation':1e-323}}"));
    cases.add(of("numbers: non-numbers, negative sizes and out-of-range styles are invalid",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':'0','y':0}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':true}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'w':-1}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'h':-0.5}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'rotation':[1]}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'style':{'opacity':1.01}}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'style':{'opacity':-0.01}}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'text','x':0,'y':0,'style':{'fontSize':0}}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'style':{'strokeWidth':-2}}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'style':{'stroke':5}}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'path','x':0,'y':0,'points':[[0,'1']]}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'path','x':0,'y':0,'points':[[0,0,0]]}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'path','x':0,'y':0,'points':[[0]]}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'path','x':0,'y':0,'points':[0,0]}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'path','x':0,'y':0,'points':{'x':0}}}",
        "{'kind':'move_shape','id':'s','x':null,'y':0}",
        "{'kind':'resize_shape','id':'s','w':-1,'h':0}",
        "{'kind':'resize_shape','id':'s','w':1,'h':1,'x':'1'}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'w':0,'h':0,'style':{'opacity':0,"
            + "'fontSize':0.001,'strokeWidth':0}}}",
        "{'kind':'resize_shape','id':'s','w':0,'h':0,'x':-1,'y':-1}"));
    cases.add(of("ids: unicode ids sort by code point, so U+FFFF comes before U+1F600 (UTF-16 order differs)",
        create("\\ud83d\\ude00", "rect"), create("\\uffff", "rect"), create("B", "rect"), create("a", "rect"),
        create("\\u00e9", "rect"), create("a0", "rect"), create("\\ue000", "rect"), create("A", "rect"),
        create("a\\u0000", "rect"), create("\\ud800x", "rect"), create("\\udc00", "rect"), create("", "rect"),
        "{'kind':'move_shape','id':'\\ud83d\\ude00','x':1,'y':1}", "{'kind':'delete_shape','id':'\\uffff'}"));
    cases.add(of("ids: 64 characters counted in code points are allowed, 65 are not",
        create("\\ud83d\\ude00".repeat(64), "rect"), create("i".repeat(64), "rect"),
        create("\\ud83d\\ude00".repeat(65), "rect"), create("i".repeat(65), "rect"),
        "{'kind':'delete_shape','id':'" + "i".repeat(65) + "'}", "{'kind':'delete_shape','id':''}",
        "{'kind':'delete_shape','id':7}", "{'kind':'delete_shape','id':'" + "i".repeat(64) + "'}"));
    cases.add(of("strings: escapes, control characters and non-ASCII text hash as JCS writes them",
        "{'kind':'create_shape','shape':{'id':'t','type':'text','x':0,'y':0,"
            + "'text':'quote \\\" backslash \\\\ slash / newline \\n tab \\t cr \\r bs \\b ff \\f bell \\u0007 "
            + "us \\u001f del \\u007f \\u00e9\\u4e2d\\ud83d\\ude00 \\u2028\\u2029 \\ufeff','z':'\\u0001',"
            + "'style':{'stroke':'\\u00e9\\ud83d\\ude00','fill':'<b>&amp;</b>'}}}",
        "{'kind':'create_shape','shape':{'id':'u','type':'text','x':0,'y':0,'text':'a\\u0000b'}}",
        "{'kind':'create_shape','shape':{'id':'u','type':'text','x':0,'y':0,'text':'a\\ud800'}}",
        "{'kind':'create_shape','shape':{'id':'u','type':'text','x':0,'y':0,'z':'\\udfff'}}",
        "{'kind':'create_shape','shape':{'id':'u','type':'text','x':0,'y':0,'style':{'fill':'\\u0000'}}}",
        "{'kind':'create_shape','shape':{'id':'u','type':'text','x':0,'y':0,'text':7}}",
        "{'kind':'update_shape','id':'t','set':{'text':'\\ud83d\\ude00\\ud83d\\ude00'}}"));
    cases.add(of("z-order fields: z is an opaque string kept verbatim; the state sorts by id, never by z",
        "{'kind':'create_shape','shape':{'id':'top','type':'rect','x':0,'y':0,'z':'a0'}}",
        "{'kind':'create_shape','shape':{'id':'bottom','type':'rect','x':0,'y':0,'z':'Zz'}}",
        "{'kind':'create_shape','shape':{'id':'mid','type':'rect','x':0,'y':0,'z':'a0V'}}",
        "{'kind':'create_shape','shape':{'id':'none','type':'rect','x':0,'y':0}}",
        "{'kind':'update_shape','id':'top','set':{'z':'a1'}}",
        "{'kind':'update_shape','id':'mid','set':{'z':null}}",
        "{'kind':'update_shape','id':'none','set':{'z':''}}",
        "{'kind':'update_shape','id':'bottom','set':{'z':'" + "z".repeat(256) + "'}}",
        "{'kind':'update_shape','id':'bottom','set':{'z':'" + "z".repeat(257) + "'}}",
        "{'kind':'update_shape','id':'bottom','set':{'z':1}}",
        "{'kind':'create_shape','shape':{'id':'emoji','type':'rect','x':0,'y':0,'z':'"
            + "\\ud83d\\ude00".repeat(256) + "'}}"));
    cases.add(of("style strings: 128 characters are allowed, 129 are not",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'style':{'stroke':'" + "s".repeat(128)
            + "'}}}",
        "{'kind':'update_shape','id':'s','set':{'style':{'fill':'" + "f".repeat(129) + "'}}}",
        "{'kind':'update_shape','id':'s','set':{'style':{'fill':'" + "\\u00e9".repeat(128) + "'}}}"));
    cases.add(of("canvas errors: conflict and not_found for every kind", RECT,
        create("r1", "ellipse"),
        "{'kind':'move_shape','id':'nope','x':1,'y':1}",
        "{'kind':'resize_shape','id':'nope','w':1,'h':1}",
        "{'kind':'delete_shape','id':'nope'}",
        "{'kind':'delete_shape','id':'r1'}",
        "{'kind':'delete_shape','id':'r1'}",
        "{'kind':'move_shape','id':'r1','x':1,'y':1}",
        create("r1", "ellipse"),
        create("r1", "ellipse")));
    cases.add(of("structural errors: kind, fields and shape objects",
        "{'kind':'rotate_shape','id':'r1'}",
        "{'id':'r1'}",
        "{'kind':7,'id':'r1'}",
        "{'kind':null}",
        "['move_shape']",
        "'create_shape'",
        "null",
        "{'kind':'create_shape'}",
        "{'kind':'create_shape','shape':null}",
        "{'kind':'create_shape','shape':[]}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0},'force':true}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','y':0}}",
        "{'kind':'create_shape','shape':{'type':'rect','x':0,'y':0}}",
        "{'kind':'create_shape','shape':{'id':'s','x':0,'y':0}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'star','x':0,'y':0}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'RECT','x':0,'y':0}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'color':'red'}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'style':{'color':'red'}}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'style':'red'}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'text':null}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'style':null}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'w':null}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'points':[[0,0]]}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'sticky','x':0,'y':0,'points':[]}}",
        "{'kind':'move_shape','id':'s','x':1}",
        "{'kind':'move_shape','id':'s','x':1,'y':1,'z':'a'}",
        "{'kind':'resize_shape','id':'s','w':1}",
        "{'kind':'delete_shape'}",
        "{'kind':'delete_shape','id':'s','shape':{}}",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0}}"));
    cases.add(of("key order inside ops and shapes does not matter",
        "{'shape':{'y':2,'style':{'fill':'red','stroke':'blue'},'x':1,'type':'rect','id':'k'},'kind':'create_shape'}",
        "{'y':5,'x':4,'id':'k','kind':'move_shape'}",
        "{'set':{'text':'t','w':3},'id':'k','kind':'update_shape'}",
        "{'ops':[{'id':'k','kind':'delete_shape'}],'kind':'batch'}"));
    cases.add(of("batch: ops apply in order and see each other, all under one op", RECT,
        "{'kind':'batch','ops':[" + LINE + ",{'kind':'move_shape','id':'l1','x':5,'y':5},"
            + "{'kind':'update_shape','id':'r1','set':{'text':null}},{'kind':'resize_shape','id':'l1','w':1,'h':2}]}",
        "{'kind':'batch','ops':[{'kind':'delete_shape','id':'r1'}," + RECT.replace("'x':10", "'x':11") + "]}",
        "{'kind':'batch','ops':[" + create("tmp", "rect") + ",{'kind':'delete_shape','id':'tmp'}]}",
        "{'kind':'batch','ops':[{'kind':'delete_shape','id':'l1'}]}"));
    cases.add(of("batch: atomic, a failing op i leaves the canvas unchanged whatever came before it", RECT,
        "{'kind':'batch','ops':[" + LINE + ",{'kind':'move_shape','id':'r1','x':0,'y':0},"
            + "{'kind':'delete_shape','id':'nope'},{'kind':'delete_shape','id':'r1'}]}",
        "{'kind':'batch','ops':[{'kind':'delete_shape','id':'r1'},{'kind':'move_shape','id':'r1','x':0,'y':0}]}",
        "{'kind':'batch','ops':[" + LINE + "," + LINE + "]}",
        "{'kind':'batch','ops':[{'kind':'update_shape','id':'r1','set':{'text':'x'}},"
            + "{'kind':'move_shape','id':'r1','x':'far','y':0}]}",
        "{'kind':'batch','ops':[" + create("big", "text") + ",{'kind':'update_shape','id':'big','set':{'text':'"
            + "t".repeat(10_001) + "'}}]}",
        "{'kind':'batch','ops':[{'kind':'delete_shape','id':'r1'},{'kind':'update_shape','id':'r1','set':{}}]}",
        "{'kind':'batch','ops':[" + LINE + ",{'kind':'move_shape','id':'l1','x':1,'y':1}]}"));
    cases.add(of("batch: structural errors", RECT,
        "{'kind':'batch','ops':[]}",
        "{'kind':'batch'}",
        "{'kind':'batch','ops':{'kind':'delete_shape','id':'r1'}}",
        "{'kind':'batch','ops':[{'kind':'delete_shape','id':'r1'}],'atomic':true}",
        "{'kind':'batch','ops':[{'kind':'batch','ops':[{'kind':'delete_shape','id':'r1'}]}]}",
        "{'kind':'batch','ops':[{'kind':'delete_shape','id':'r1'},'delete']}",
        "{'kind':'batch','ops':[{'kind':'delete_shape','id':'r1'},{'kind':'nope'}]}",
        batch(500), batch(501), "{'kind':'batch','ops':[{'kind':'delete_shape','id':'r1'}]}"));
    cases.add(of("too_large: text over 10000 characters and more than 10000 points",
        "{'kind':'create_shape','shape':{'id':'t','type':'text','x':0,'y':0,'text':'" + "t".repeat(10_000) + "'}}",
        "{'kind':'create_shape','shape':{'id':'u','type':'text','x':0,'y':0,'text':'" + "t".repeat(10_001) + "'}}",
        "{'kind':'update_shape','id':'t','set':{'text':'" + "t".repeat(10_001) + "'}}",
        "{'kind':'create_shape','shape':{'id':'p','type':'path','x':0,'y':0,'points':["
            + String.join(",", Collections.nCopies(10_001, "[0,0]")) + "]}}",
        "{'kind':'update_shape','id':'t','set':{'text':'short'}}"));
    cases.add(of("delete then create reuses the id with new content", RECT, "{'kind':'delete_shape','id':'r1'}",
        create("r1", "ellipse"), "{'kind':'update_shape','id':'r1','set':{'text':'again'}}"));
    cases.add(randomWalk("a seeded random walk of 200 ops, failures included", 20_250_601L, 200));
    cases.add(randomWalk("a second seeded random walk of 200 ops", 42L, 200));
    return cases;
  }

  private static Case of(String name, String... ops) {
    return new Case(name, List.of(ops));
  }

  private static String create(String id, String type) {
    return "{'kind':'create_shape','shape':{'id':'" + id + "','type':'" + type + "','x':0,'y':0}}";
  }

  private static String batch(int moves) {
    List<String> ops = new ArrayList<>();
    for (int i = 0; i < moves; i++) {
      ops.add("{'kind':'move_shape','id':'r1','x':" + i + ",'y':" + (-i) + "}");
    }
    return "{'kind':'batch','ops':[" + String.join(",", ops) + "]}";
  }

  // A deterministic mix of every op kind over a few ids (java.util.Random is specified, so the
  // sequence is the same on every JVM); ids collide on purpose so that conflicts and not_found occur.
  private static final String[] IDS = {"a", "b", "c", "\\u00e9", "\\ud83d\\ude00", "Z"};
  private static final String[] TYPES = {"rect", "ellipse", "line", "arrow", "text", "sticky", "path"};
  private static final String[] NUMBERS = {"0", "1", "1.0", "-0.0", "0.1", "2.5", "-3.25", "100", "1e21", "1E-7",
      "123.456", "2.5e3", "-7"};
  private static final String[] STRINGS = {"", "x", "hello", "\\u00e9t\\u00e9", "\\ud83d\\ude00", "a\\nb", "a0", "Zz"};

  private static Case randomWalk(String name, long seed, int count) {
    Random random = new Random(seed);
    List<String> ops = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ops.add(random.nextInt(8) == 0 ? randomBatch(random) : randomOp(random));
    }
    return new Case(name, ops);
  }

  private static String randomBatch(Random random) {
    List<String> ops = new ArrayList<>();
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      ops.add(randomOp(random));
    }
    return "{'kind':'batch','ops':[" + String.join(",", ops) + "]}";
  }

  private static String randomOp(Random random) {
    String id = pick(random, IDS);
    return switch (random.nextInt(6)) {
      case 0, 1 -> "{'kind':'create_shape','shape':" + randomShape(random, id) + "}";
      case 2 -> "{'kind':'update_shape','id':'" + id + "','set':" + randomSet(random) + "}";
      case 3 -> "{'kind':'move_shape','id':'" + id + "','x':" + pick(random, NUMBERS) + ",'y':"
          + pick(random, NUMBERS) + "}";
      case 4 -> "{'kind':'resize_shape','id':'" + id + "','w':" + size(random) + ",'h':" + size(random)
          + (random.nextBoolean() ? ",'x':" + pick(random, NUMBERS) : "")
          + (random.nextBoolean() ? ",'y':" + pick(random, NUMBERS) : "") + "}";
      default -> "{'kind':'delete_shape','id':'" + id + "'}";
    };
  }

  private static String randomShape(Random random, String id) {
    String type = pick(random, TYPES);
    StringBuilder shape = new StringBuilder("{'id':'" + id + "','type':'" + type + "','x':" + pick(random, NUMBERS)
        + ",'y':" + pick(random, NUMBERS));
    optionalFields(random, shape, type.equals("line") || type.equals("arrow") || type.equals("path"), false);
    return shape.append('}').toString();
  }

  private static String randomSet(Random random) {
    StringBuilder set = new StringBuilder("{'x':" + pick(random, NUMBERS));
    optionalFields(random, set, random.nextInt(3) == 0, true);
    return set.append('}').toString();
  }

  /** Appends some optional fields (null where {@code nulls} allows) after a first field. */
  private static void optionalFields(Random random, StringBuilder out, boolean points, boolean nulls) {
    if (random.nextBoolean()) {
      out.append(",'w':").append(nullOr(random, nulls, size(random)));
    }
    if (random.nextBoolean()) {
      out.append(",'h':").append(nullOr(random, nulls, size(random)));
    }
    if (random.nextInt(3) == 0) {
      out.append(",'rotation':").append(nullOr(random, nulls, pick(random, NUMBERS)));
    }
    if (random.nextInt(3) == 0) {
      out.append(",'z':").append(nullOr(random, nulls, "'" + pick(random, STRINGS) + "'"));
    }
    if (random.nextInt(3) == 0) {
      out.append(",'text':").append(nullOr(random, nulls, "'" + pick(random, STRINGS) + "'"));
    }
    if (random.nextInt(3) == 0) {
      String style = random.nextBoolean() ? "{}" : "{'stroke':'#" + random.nextInt(1000) + "','opacity':"
          + (random.nextInt(11) / 10.0) + "}";
      out.append(",'style':").append(nullOr(random, nulls, style));
    }
    if (points && random.nextBoolean()) {
      List<String> pairs = new ArrayList<>();
      for (int i = random.nextInt(4); i > 0; i--) {
        pairs.add("[" + pick(random, NUMBERS) + "," + pick(random, NUMBERS) + "]");
      }
      out.append(",'points':").append(nullOr(random, nulls, "[" + String.join(",", pairs) + "]"));
    }
  }

  private static String nullOr(Random random, boolean nulls, String value) {
    return nulls && random.nextInt(4) == 0 ? "null" : value;
  }

  /** Mostly valid sizes; one in ten is negative and makes the op invalid. */
  private static String size(Random random) {
    return random.nextInt(10) == 0 ? "-1" : String.valueOf(random.nextInt(200)) + (random.nextBoolean() ? ".5" : "");
  }

  private static String pick(Random random, String[] values) {
    return values[random.nextInt(values.length)];
  }
}
