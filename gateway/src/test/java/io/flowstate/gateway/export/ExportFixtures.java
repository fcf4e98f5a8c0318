package io.flowstate.gateway.export;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.canvas.CanvasLimits;
import io.flowstate.shared.canvas.CanvasState;
import io.flowstate.shared.canvas.Reducer;
import io.flowstate.shared.protocol.Json;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Canvas states built through the real reducer, and a hardened XML parser for the SVG tests. */
final class ExportFixtures {
  private static final Reducer REDUCER = new Reducer(CanvasLimits.defaults());

  private ExportFixtures() {
  }

  static ObjectNode shape(String id, String type, double x, double y) {
    return Json.object().put("id", id).put("type", type).put("x", x).put("y", y);
  }

  static ObjectNode points(ObjectNode shape, double... xy) {
    var array = shape.putArray("points");
    for (int i = 0; i < xy.length; i += 2) {
      array.addArray().add(xy[i]).add(xy[i + 1]);
    }
    return shape;
  }

  /** The state after creating {@code shapes} in order; the reducer validates each one. */
  static CanvasState state(ObjectNode... shapes) {
    CanvasState state = CanvasState.empty();
    for (ObjectNode shape : shapes) {
      REDUCER.applyInPlace(state, REDUCER.parse(Json.object().put("kind", "create_shape").set("shape", shape)));
    }
    return state;
  }

  /** One shape of every type, with z values that order them differently from their ids. */
  static CanvasState oneOfEach() {
    return state(
        shape("r", "rect", 0, 0).put("w", 100).put("h", 60).put("z", "a5"),
        shape("e", "ellipse", 120, 0).put("w", 80).put("h", 40).put("z", "a3"),
        points(shape("l", "line", 0, 100).put("z", "a1"), 0, 0, 50, 20, 100, 0),
        points(shape("a", "arrow", 0, 150).put("z", "a4"), 0, 0, 120, 30),
        shape("t", "text", 200, 100).put("text", "hello\nworld").put("z", "a2"),
        shape("s", "sticky", 250, 0).put("text", "a note on a sticky").put("w", 120).put("h", 120),
        points(shape("p", "path", 300, 200).put("z", "a0"), 0, 0, 5, 5, 10, 3, 20, 10));
  }

  /** Paint order of {@link #oneOfEach()}: no z first, then z ascending. */
  static final List<String> ONE_OF_EACH_ORDER = List.of("s", "p", "l", "t", "e", "a", "r");

  /** Parses XML with DOCTYPEs and external entities refused. */
  static Document parseXml(byte[] xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
    factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    factory.setXIncludeAware(false);
    factory.setExpandEntityReferences(false);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
  }

  /** Elements carrying {@code data-id}, in document order. */
  static List<Element> shapeElements(Document doc) {
    List<Element> out = new ArrayList<>();
    NodeList all = doc.getElementsByTagNameNS("*", "*");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      if (e.hasAttribute("data-id")) {
        out.add(e);
      }
    }
    return out;
  }
}
