package io.flowstate.gateway.export;

import static io.flowstate.gateway.export.ExportFixtures.ONE_OF_EACH_ORDER;
import static io.flowstate.gateway.export.ExportFixtures.oneOfEach;
import static io.flowstate.gateway.export.ExportFixtures.parseXml;
import static io.flowstate.gateway.export.ExportFixtures.shape;
import static io.flowstate.gateway.export.ExportFixtures.shapeElements;
import static io.flowstate.gateway.export.ExportFixtures.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowstate.shared.canvas.CanvasState;
import io.flowstate.shared.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

@DisplayName("The SVG exporter")
class SvgExporterTest {
  private final SvgExporter exporter = new SvgExporter();

  private Document render(CanvasState state) throws Exception {
    return parseXml(exporter.render(Scene.of(state)));
  }

  private static Element child(Element parent, String name) {
    NodeList list = parent.getElementsByTagNameNS(SvgExporter.SVG_NS, name);
    assertThat(list.getLength()).as("<%s> inside %s", name, parent.getAttribute("data-id")).isGreaterThan(0);
    return (Element) list.item(0);
  }

  @Test
  @DisplayName("draws one shape of each type as a standalone SVG document with one data-id element per shape in z-order")
  void oneOfEachType() throws Exception {
    Document doc = render(oneOfEach());
    Element svg = doc.getDocumentElement();
    assertThat(svg.getLocalName()).isEqualTo("svg");
    assertThat(svg.getNamespaceURI()).isEqualTo(SvgExporter.SVG_NS);
    List<Element> shapes = shapeElements(doc);
    assertThat(shapes).extracting(e -> e.getAttribute("data-id")).containsExactlyElementsOf(ONE_OF_EACH_ORDER);
    Map<String, Element> byId = shapes.stream().collect(Collectors.toMap(e -> e.getAttribute("data-id"), e -> e));

    assertThat(child(byId.get("r"), "rect").getAttribute("width")).isEqualTo("100");
    assertThat(child(byId.get("e"), "ellipse").getAttribute("rx")).isEqualTo("40");
    assertThat(child(byId.get("l"), "polyline").getAttribute("points")).isEqualTo("0,100 50,120 100,100");
    Element arrow = child(byId.get("a"), "polyline");
    assertThat(arrow.getAttribute("points")).isEqualTo("0,150 120,180");
    String marker = arrow.getAttribute("marker-end");
    assertThat(marker).startsWith("url(#").endsWith(")");
    NodeList markers = doc.getElementsByTagNameNS(SvgExporter.SVG_NS, "marker");
    assertThat(markers.getLength()).isEqualTo(1);
    assertThat(((Element) markers.item(0)).getAttribute("id")).isEqualTo(marker.substring(5, marker.length() - 1));
    NodeList lines = child(byId.get("t"), "text").getElementsByTagNameNS(SvgExporter.SVG_NS, "tspan");
    assertThat(lines.getLength()).isEqualTo(2);
    assertThat(lines.item(0).getTextContent()).isEqualTo("hello");
    assertThat(lines.item(1).getTextContent()).isEqualTo("world");
    Element sticky = byId.get("s");
    assertThat(child(sticky, "rect").getAttribute("fill")).isEqualTo("#fff59d");
    NodeList wrapped = child(sticky, "text").getElementsByTagNameNS(SvgExporter.SVG_NS, "tspan");
    assertThat(wrapped.getLength()).as("wrapped at (120 - 2 * 12) / (0.6 * 16) = 10 characters").isEqualTo(2);
    assertThat(wrapped.item(0).getTextContent()).isEqualTo("a note on");
    assertThat(wrapped.item(1).getTextContent()).isEqualTo("a sticky");
    assertThat(child(byId.get("p"), "path").getAttribute("d")).isEqualTo("M300 200 L305 205 L310 203 L320 210");
  }

  @Test
  @DisplayName("orders shapes without z first, then by z in code-point order, ties by id")
  void zOrder() throws Exception {
    Document doc = render(state(
        shape("b", "rect", 0, 0).put("z", "\uffff"),
        shape("a", "rect", 0, 0).put("z", "\ud83d\ude00"),
        shape("c", "rect", 0, 0).put("z", "m"),
        shape("d", "rect", 0, 0).put("z", "m"),
        shape("z", "rect", 0, 0),
        shape("y", "rect", 0, 0)));
    assertThat(shapeElements(doc)).extracting(e -> e.getAttribute("data-id"))
        .containsExactly("y", "z", "c", "d", "b", "a");
  }

  @Test
  @DisplayName("turns a rotation into a rotate transform about the box centre, clockwise in degrees")
  void rotation() throws Exception {
    Document doc = render(state(
        shape("turned", "rect", 10, 20).put("w", 100).put("h", 50).put("rotation", 30),
        shape("straight", "rect", 0, 0).put("w", 5).put("h", 5),
        shape("origin", "text", 7, 9).put("text", "x").put("rotation", -45.5)));
    Map<String, Element> byId = shapeElements(doc).stream()
        .collect(Collectors.toMap(e -> e.getAttribute("data-id"), e -> e));
    assertThat(byId.get("turned").getAttribute("transform")).isEqualTo("rotate(30 60 45)");
    assertThat(byId.get("straight").hasAttribute("transform")).isFalse();
    assertThat(byId.get("origin").getAttribute("transform")).isEqualTo("rotate(-45.5 7 9)");
  }

  @Test
  @DisplayName("escapes <&>\"' in text and ids through the XML library and replaces characters XML cannot carry")
  void escaping() throws Exception {
    String nasty = "<script>alert('x')</script> & \"quoted\" ]]> </svg>";
    String id = "id<&>\"'\n\t";
    byte[] svg = exporter.render(Scene.of(state(
        shape(id, "text", 0, 0).put("text", nasty + "\nline two \u0001 end"),
        shape("note", "sticky", 0, 100).put("text", nasty))));
    String raw = new String(svg, StandardCharsets.UTF_8);
    assertThat(raw).doesNotContain("<script").contains("&lt;script&gt;");
    assertThat(raw.split("</svg>", -1)).as("only the real closing tag is markup").hasSize(2);

    Document doc = parseXml(svg);
    List<Element> shapes = shapeElements(doc);
    assertThat(shapes).extracting(e -> e.getAttribute("data-id")).containsExactly(id, "note");
    NodeList lines = shapes.get(0).getElementsByTagNameNS(SvgExporter.SVG_NS, "tspan");
    assertThat(lines.item(0).getTextContent()).isEqualTo(nasty);
    assertThat(lines.item(1).getTextContent()).isEqualTo("line two \uFFFD end");
    assertThat(shapes.get(1).getTextContent().replace("\n", "")).contains("<script>");
  }

  @Test
  @DisplayName("fits the viewBox to the shapes' stroked and rotated bounds plus the margin")
  void viewBox() throws Exception {
    Element svg = render(state(shape("r", "rect", 0, 0).put("w", 100).put("h", 50))).getDocumentElement();
    assertThat(svg.getAttribute("viewBox")).isEqualTo("-17 -17 134 84");
    assertThat(svg.getAttribute("width")).isEqualTo("134");

    Element turned = render(state(shape("r", "rect", 0, 0).put("w", 100).put("h", 20).put("rotation", 90)
        .set("style", Json.object().put("strokeWidth", 0)))).getDocumentElement();
    assertThat(turned.getAttribute("viewBox")).isEqualTo("24 -56 52 132");
  }

  @Test
  @DisplayName("writes an empty canvas as a small empty SVG")
  void empty() throws Exception {
    Document doc = render(CanvasState.empty());
    assertThat(doc.getDocumentElement().getAttribute("viewBox")).isEqualTo("-16 -16 32 32");
    assertThat(shapeElements(doc)).isEmpty();
  }

  @Test
  @DisplayName("applies stroke, fill, strokeWidth, opacity and fontSize, and never copies an unknown colour verbatim")
  void style() throws Exception {
    ObjectNode styled = shape("s", "rect", 0, 0).put("w", 10).put("h", 10);
    styled.set("style", Json.object().put("stroke", "rgb(0, 0, 255)").put("fill", "#00ff0080")
        .put("strokeWidth", 3.5).put("opacity", 0.25));
    ObjectNode evil = shape("x", "ellipse", 0, 0).put("w", 10).put("h", 10);
    evil.set("style", Json.object().put("fill", "url(http://evil.example/x.svg#a)").put("stroke", "\" onload=\"x"));
    ObjectNode big = shape("t", "text", 0, 0).put("text", "big");
    big.set("style", Json.object().put("fontSize", 40).put("stroke", "tomato"));
    byte[] svg = exporter.render(Scene.of(state(styled, evil, big)));
    assertThat(new String(svg, StandardCharsets.UTF_8)).doesNotContain("evil.example").doesNotContain("onload");

    Map<String, Element> byId = shapeElements(parseXml(svg)).stream()
        .collect(Collectors.toMap(e -> e.getAttribute("data-id"), e -> e));
    assertThat(byId.get("s").getAttribute("opacity")).isEqualTo("0.25");
    Element rect = child(byId.get("s"), "rect");
    assertThat(rect.getAttribute("stroke")).isEqualTo("#0000ff");
    assertThat(rect.getAttribute("stroke-width")).isEqualTo("3.5");
    assertThat(rect.getAttribute("fill")).isEqualTo("#00ff00");
    assertThat(rect.getAttribute("fill-opacity")).isEqualTo("0.502");
    Element ellipse = child(byId.get("x"), "ellipse");
    assertThat(ellipse.getAttribute("fill")).isEqualTo("none");
    assertThat(ellipse.getAttribute("stroke")).isEqualTo("#000000");
    Element text = child(byId.get("t"), "text");
    assertThat(text.getAttribute("font-size")).isEqualTo("40");
    assertThat(text.getAttribute("fill")).isEqualTo("#ff6347");
  }

  @Test
  @DisplayName("numbers are written without exponents or needless decimals")
  void numbers() {
    assertThat(SvgExporter.num(1.0)).isEqualTo("1");
    assertThat(SvgExporter.num(-0.0)).isEqualTo("0");
    assertThat(SvgExporter.num(0.1 + 0.2)).isEqualTo("0.3");
    assertThat(SvgExporter.num(1e-7)).isEqualTo("0");
    assertThat(SvgExporter.num(12345678.5)).isEqualTo("12345678.5");
    assertThat(SvgExporter.num(Double.NaN)).isEqualTo("0");
    assertThat(SvgExporter.num(Double.POSITIVE_INFINITY)).isEqualTo("0");
  }
}
