package io.flowstate.shared.canvas;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The op sequences behind {@code canvas-vectors.json}, written with {@code '} for {@code "}.
 * Every error case fails at its last op. Edit here, then regenerate the file with
 * {@link CanvasVectorsGenerator}; the expectations come from the reducer and are reviewed by hand.
 */
final class CanvasVectorCases {
  record Case(String name, List<String> ops) {
  }

  private static final String RECT = "{'kind':'create_shape','shape':{'id':'r1','type':'rect','x':10,'y':20,'w':100,'h':50,"
      + "'style':{'stroke':'#222','fill':'#ffcc00','strokeWidth':2},'text':'hello'}}";
  private static final String LINE = "{'kind':'create_shape','shape':{'id':'l1','type':'line','x':0,'y':0,'points':[[0,0],[30,40]]}}";

  private CanvasVectorCases() {
  }

  static List<Case> all() {
    List<Case> cases = new ArrayList<>();
    cases.add(of("no ops: the empty canvas"));
    cases.add(of("create_shape: one of each type", create("a", "rect"), create("b", "ellipse"), create("c", "line"),
        create("d", "arrow"), create("e", "text"), create("f", "sticky"), create("g", "path")));
    cases.add(of("create_shape: every optional field, kept as given",
        "{'kind':'create_shape','shape':{'id':'full','type':'arrow','x':1,'y':2,'w':3,'h':4,'rotation':-0.25,"
            + "'z':'a0V','style':{'stroke':'#000','fill':'none','strokeWidth':0,'opacity':1,'fontSize':14.5},"
            + "'text':'label','points':[[0,0],[10,-10]]}}"));
    cases.add(of("create_shape: absent fields stay absent and an empty style stays empty",
        "{'kind':'create_shape','shape':{'id':'s','type':'sticky','x':0,'y':0,'style':{}}}"));
    cases.add(of("numbers: 1.0 is 1, -0 is 0, exponents print as ECMAScript does",
        "{'kind':'create_shape','shape':{'id':'n','type':'path','x':1.0,'y':-0.0,'w':1e21,'h':1e-7,"
            + "'rotation':0.1,'style':{'opacity':0.30000000000000004,'fontSize':9007199254740993},"
            + "'points':[[1.5e300,-2.50],[123456789012345678,5e-324]]}}"));
    cases.add(of("strings: escapes, control characters and non-ASCII text",
        "{'kind':'create_shape','shape':{'id':'t','type':'text','x':0,'y':0,"
            + "'text':'quote \\\" backslash \\\\ slash / newline \\n tab \\t bell \\u0007 del \\u007f "
            + "\\u00e9\\u4e2d\\ud83d\\ude00 \\u2028','z':'\\u0001'}}"));
    cases.add(of("strings: the NUL character is refused (PostgreSQL cannot store it)",
        "{'kind':'create_shape','shape':{'id':'t','type':'text','x':0,'y':0,'text':'a\\u0000b'}}"));
    cases.add(of("ids: shapes sort by code point, so U+FFFF comes before U+1F600",
        create("\\ud83d\\ude00", "rect"), create("\\uffff", "rect"), create("B", "rect"), create("a", "rect"),
        create("\\u00e9", "rect"), create("a0", "rect"), create("\\ue000", "rect")));
    cases.add(of("ids: 64 characters, counted in code points", create("\\ud83d\\ude00".repeat(64), "rect"),
        create("i".repeat(64), "rect")));
    cases.add(of("update_shape: sets fields, null removes one, style is replaced whole", RECT,
        "{'kind':'update_shape','id':'r1','set':{'x':11.5,'rotation':0.5,'text':null,'z':null,"
            + "'style':{'fill':'red'}}}"));
    cases.add(of("update_shape: style null removes the style", RECT,
        "{'kind':'update_shape','id':'r1','set':{'style':null}}"));
    cases.add(of("update_shape: an empty set changes nothing", RECT, "{'kind':'update_shape','id':'r1','set':{}}"));
    cases.add(of("update_shape: points on a line, null points on a rect", RECT, LINE,
        "{'kind':'update_shape','id':'l1','set':{'points':[[1,1],[2,2],[3,3]]}}",
        "{'kind':'update_shape','id':'r1','set':{'points':null}}"));
    cases.add(of("update_shape: last write wins per field", RECT,
        "{'kind':'update_shape','id':'r1','set':{'x':1,'y':1}}", "{'kind':'update_shape','id':'r1','set':{'x':2}}",
        "{'kind':'move_shape','id':'r1','x':3,'y':3}", "{'kind':'update_shape','id':'r1','set':{'y':4}}"));
    cases.add(of("move_shape: sets x and y only", RECT, "{'kind':'move_shape','id':'r1','x':-5,'y':7.25}"));
    cases.add(of("resize_shape: w and h, then with x and y", LINE, "{'kind':'resize_shape','id':'l1','w':30,'h':40}",
        "{'kind':'resize_shape','id':'l1','w':0,'h':0.5,'x':1,'y':2}",
        "{'kind':'resize_shape','id':'l1','w':1,'h':1,'y':9}"));
    cases.add(of("delete_shape: removes the shape", RECT, LINE, "{'kind':'delete_shape','id':'r1'}"));
    cases.add(of("delete_shape then create_shape reuses the id", RECT, "{'kind':'delete_shape','id':'r1'}",
        create("r1", "ellipse")));
    cases.add(of("batch: create then move the same shape",
        "{'kind':'batch','ops':[" + RECT + ",{'kind':'move_shape','id':'r1','x':0,'y':0}]}"));
    cases.add(of("batch: create and delete leave nothing", "{'kind':'batch','ops':[" + RECT + "," + LINE
        + ",{'kind':'delete_shape','id':'r1'},{'kind':'delete_shape','id':'l1'}]}"));
    cases.add(of("batch: 500 ops is the most allowed", RECT, batch(500)));
    cases.add(of("key order inside ops does not matter",
        "{'shape':{'y':2,'style':{'fill':'red','stroke':'blue'},'x':1,'type':'rect','id':'k'},'kind':'create_shape'}",
        "{'y':5,'x':4,'id':'k','kind':'move_shape'}"));

    cases.add(of("error: unknown kind", "{'kind':'rotate_shape','id':'r1'}"));
    cases.add(of("error: missing kind", "{'id':'r1'}"));
    cases.add(of("error: an op that is not an object", "['move_shape']"));
    cases.add(of("error: unknown key beside the fields", RECT, "{'kind':'delete_shape','id':'r1','force':true}"));
    cases.add(of("error: create_shape without x", "{'kind':'create_shape','shape':{'id':'s','type':'rect','y':0}}"));
    cases.add(of("error: create_shape with an unknown type", "{'kind':'create_shape','shape':{'id':'s','type':'star','x':0,'y':0}}"));
    cases.add(of("error: create_shape with an unknown shape field",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'color':'red'}}"));
    cases.add(of("error: create_shape with an unknown style field",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'style':{'color':'red'}}}"));
    cases.add(of("error: create_shape with x as a string", "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':'0','y':0}}"));
    cases.add(of("error: create_shape with an optional field set to null",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'text':null}}"));
    cases.add(of("error: create_shape with a negative w", "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'w':-1}}"));
    cases.add(of("error: create_shape with opacity above 1",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'style':{'opacity':1.01}}}"));
    cases.add(of("error: create_shape with fontSize 0",
        "{'kind':'create_shape','shape':{'id':'s','type':'text','x':0,'y':0,'style':{'fontSize':0}}}"));
    cases.add(of("error: create_shape with points on a rect",
        "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'points':[[0,0]]}}"));
    cases.add(of("error: create_shape with a point of three numbers",
        "{'kind':'create_shape','shape':{'id':'s','type':'path','x':0,'y':0,'points':[[0,0,0]]}}"));
    cases.add(of("error: create_shape with an empty id", create("", "rect")));
    cases.add(of("error: create_shape with an id of 65 characters", create("i".repeat(65), "rect")));
    cases.add(of("error: create_shape with z longer than 256", "{'kind':'create_shape','shape':{'id':'s','type':'rect','x':0,'y':0,'z':'"
        + "z".repeat(257) + "'}}"));
    cases.add(of("error: create_shape with an unpaired surrogate in text",
        "{'kind':'create_shape','shape':{'id':'s','type':'text','x':0,'y':0,'text':'a\\ud800'}}"));
    cases.add(of("error: create_shape of an id that exists", RECT, create("r1", "ellipse")));
    cases.add(of("error: create_shape with text over 10000 characters",
        "{'kind':'create_shape','shape':{'id':'s','type':'text','x':0,'y':0,'text':'" + "t".repeat(10_001) + "'}}"));
    cases.add(of("error: create_shape with over 10000 points",
        "{'kind':'create_shape','shape':{'id':'s','type':'path','x':0,'y':0,'points':["
            + String.join(",", Collections.nCopies(10_001, "[0,0]")) + "]}}"));
    cases.add(of("error: update_shape of a missing shape", RECT, "{'kind':'update_shape','id':'nope','set':{'x':1}}"));
    cases.add(of("error: update_shape setting id", RECT, "{'kind':'update_shape','id':'r1','set':{'id':'r2'}}"));
    cases.add(of("error: update_shape setting type", RECT, "{'kind':'update_shape','id':'r1','set':{'type':'ellipse'}}"));
    cases.add(of("error: update_shape setting x to null", RECT, "{'kind':'update_shape','id':'r1','set':{'x':null}}"));
    cases.add(of("error: update_shape setting points on a rect", RECT,
        "{'kind':'update_shape','id':'r1','set':{'points':[[0,0]]}}"));
    cases.add(of("error: update_shape without set", RECT, "{'kind':'update_shape','id':'r1'}"));
    cases.add(of("error: move_shape of a missing shape", RECT, "{'kind':'move_shape','id':'nope','x':1,'y':1}"));
    cases.add(of("error: move_shape without y", RECT, "{'kind':'move_shape','id':'r1','x':1}"));
    cases.add(of("error: resize_shape with a negative h", RECT, "{'kind':'resize_shape','id':'r1','w':1,'h':-1}"));
    cases.add(of("error: resize_shape of a missing shape", RECT, "{'kind':'resize_shape','id':'nope','w':1,'h':1}"));
    cases.add(of("error: delete_shape of a missing shape", "{'kind':'delete_shape','id':'nope'}"));
    cases.add(of("error: delete_shape twice", RECT, "{'kind':'delete_shape','id':'r1'}", "{'kind':'delete_shape','id':'r1'}"));
    cases.add(of("error: batch with no ops", "{'kind':'batch','ops':[]}"));
    cases.add(of("error: batch inside a batch", RECT,
        "{'kind':'batch','ops':[{'kind':'batch','ops':[{'kind':'delete_shape','id':'r1'}]}]}"));
    cases.add(of("error: batch of 501 ops", RECT, batch(501)));
    cases.add(of("error: batch whose third op fails changes nothing", RECT,
        "{'kind':'batch','ops':[" + LINE + ",{'kind':'move_shape','id':'r1','x':0,'y':0},"
            + "{'kind':'delete_shape','id':'nope'},{'kind':'delete_shape','id':'r1'}]}"));
    cases.add(of("error: batch whose second op is invalid", RECT,
        "{'kind':'batch','ops':[{'kind':'delete_shape','id':'r1'},{'kind':'move_shape','id':'r1','x':'far','y':0}]}"));
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
}
